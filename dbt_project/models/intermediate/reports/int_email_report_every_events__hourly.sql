{#-
    One row per provider, account_id, event_type (email_histogram's every-event types:
    email-sent, email-delivered, email-bounced), bounce_class (a bounce's own class: hard, or
    soft for soft, block and unknown) and local clock hour of the reporting time zone (UTC start):
    the events of fct_email_events in that hour (`event_count`), as report_every_events counts
    them (the derived deliveries of a `sent_not_bounced` provider are in
    int_email_report_first_events__hourly). Incremental: the hours (per provider and account)
    holding an event loaded within `event_lookback_hours` of the provider's newest `loaded_at`
    here are recomputed from every event in them (delete+insert on hour_key). A new
    reporting_timezone needs `--full-refresh`.
-#}

{{
    config(
        materialized='incremental',
        unique_key='hour_key',
        incremental_strategy='delete+insert',
    )
}}

with

events as (

    select
        provider,
        account_id,
        case event_type
            when 'sent' then 'email-sent'
            when 'delivered' then 'email-delivered'
            else 'email-bounced'
        end as event_type,
        case
            when event_type <> 'bounced' then null
            when bounce_class = 'hard' then 'hard'
            else 'soft'
        end as bounce_class,
        occurred_at,
        loaded_at
    from {{ ref('fct_email_events') }}
    where event_type in ('sent', 'delivered')
        or (event_type = 'bounced' and bounce_class in ('hard', 'soft', 'block', 'unknown'))

),

{% if is_incremental() %}

changed_hours as (

    select distinct
        provider,
        account_id,
        {{ local_hour_start_utc('cast(occurred_at as ' ~ dbt.type_timestamp() ~ ')', reporting_timezone()) }} as event_hour_start_utc
    from ({{ loaded_within_lookback('events') }}) as recent

),

hourly as (

    -- every event of a changed hour: its row is recomputed from all of them (an equality join
    -- on the hour: a range join on occurred_at took 5x the full build at 1M)
    select dated.*
    from (
        select
            events.*,
            {{ local_hour_start_utc('cast(events.occurred_at as ' ~ dbt.type_timestamp() ~ ')', reporting_timezone()) }} as event_hour_start_utc
        from events
        where events.occurred_at >= (select min(event_hour_start_utc) from changed_hours)
    ) as dated
    inner join changed_hours
        on dated.provider = changed_hours.provider
        and dated.account_id is not distinct from changed_hours.account_id
        and dated.event_hour_start_utc = changed_hours.event_hour_start_utc

),

{% else %}

hourly as (

    select
        events.*,
        {{ local_hour_start_utc('cast(occurred_at as ' ~ dbt.type_timestamp() ~ ')', reporting_timezone()) }} as event_hour_start_utc
    from events

),

{% endif %}

final as (

    select
        {{ email_event_id(['provider', 'account_id', 'event_hour_start_utc']) }} as hour_key,
        provider,
        account_id,
        event_type,
        bounce_class,
        event_hour_start_utc,
        count(*) as event_count,
        max(loaded_at) as loaded_at
    from hourly
    group by
        provider,
        account_id,
        event_type,
        bounce_class,
        event_hour_start_utc

)

select * from final
