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
    )
}}

{%- set events -%}
    (
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
    )
{%- endset %}

with

{% if is_incremental() %}

changed_hours as (

    select distinct
        provider,
        account_id,
        {{ local_hour_start_utc('cast(occurred_at as ' ~ dbt.type_timestamp() ~ ')', reporting_timezone()) }} as event_hour_start_utc
    from ({{ loaded_within_lookback_pruned(events) }}) as recent

),

{% endif %}

quarters as (

    -- events per quarter hour (report_quarter_hour_start): the local hour is computed per
    -- quarter, not per event; `events` is a subquery, not a CTE read twice (DuckDB would store it)
    select
        provider,
        account_id,
        event_type,
        bounce_class,
        {{ report_quarter_hour_start('cast(occurred_at as ' ~ dbt.type_timestamp() ~ ')') }} as quarter_start_utc,
        count(*) as event_count,
        max(loaded_at) as loaded_at
    from {{ events }} as events
    {%- if is_incremental() %}
    where occurred_at >= (select min(event_hour_start_utc) from changed_hours)
    {%- endif %}
    group by
        provider,
        account_id,
        event_type,
        bounce_class,
        {{ report_quarter_hour_start('cast(occurred_at as ' ~ dbt.type_timestamp() ~ ')') }}

),

hourly as (

    select
        quarters.*,
        {{ report_local_hour_of_quarter('quarters.quarter_start_utc') }} as event_hour_start_utc
    from quarters

),

{% if is_incremental() %}

changed as (

    -- every event of a changed hour: its row is recomputed from all of them (an equality join
    -- on the hour: a range join on occurred_at took 5x the full build at 1M)
    select hourly.*
    from hourly
    inner join changed_hours
        on hourly.provider = changed_hours.provider
        and hourly.account_id is not distinct from changed_hours.account_id
        and hourly.event_hour_start_utc = changed_hours.event_hour_start_utc

),

{% else %}

changed as (

    select * from hourly

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
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as event_count,
        max(loaded_at) as loaded_at
    from changed
    group by
        provider,
        account_id,
        event_type,
        bounce_class,
        event_hour_start_utc

)

select * from final
