{#-
    One row per provider, account_id, recipient_key and reason: the recipients a CRM should stop
    mailing (CONTRACTS.md section 8). Reasons: `hard_bounce` (any hard bounce),
    `repeated_soft_bounce` (at least var `suppression_soft_bounce_threshold` soft-class bounce
    events, soft, block or unknown, over all campaigns of the account), `unsubscribed`,
    `complained`. suppressed_since = when the condition was first met (the first qualifying
    event; for repeated soft bounces the Nth), campaign_id = that event's campaign. Ties in time
    resolve by event_id, so a rerun picks the same event.
    Incremental (delete+insert on recipient_account_key): a run recomputes, from all their
    qualifying events, the recipients with one loaded within `event_lookback_hours` of the
    provider's newest `last_loaded_at` here (macro suppression_changed_recipients). A new
    `suppression_soft_bounce_threshold` needs `--full-refresh`.
-#}

{{
    config(
        materialized='incremental',
        unique_key='recipient_account_key',
        incremental_strategy='delete+insert',
    )
}}

{%- set threshold = var('suppression_soft_bounce_threshold', 3) | int %}

{%- set events_sql -%}
    (select * from {{ ref('fct_email_events') }} where event_type in ('bounced', 'unsubscribed', 'complained'))
{%- endset %}

with

{% if is_incremental() %}

events as (

    -- the events of the changed recipients
    {{ rows_of_changed_keys(
        events_sql, suppression_changed_recipients(events_sql), ['recipient_key'],
    ) }}

),

{% else %}

events as (

    select * from {{ events_sql }} as all_rows

),

{% endif %}

qualifying_events as (

    select
        provider,
        account_id,
        recipient_key,
        case
            when event_type = 'bounced' and bounce_class = 'hard' then 'hard_bounce'
            when event_type = 'bounced' and bounce_class in ('soft', 'block', 'unknown')
                then 'repeated_soft_bounce'
            when event_type = 'unsubscribed' then 'unsubscribed'
            when event_type = 'complained' then 'complained'
        end as reason,
        campaign_id,
        occurred_at,
        event_id,
        loaded_at

    from events

),

ranked as (

    select
        *,
        row_number() over (
            partition by provider, account_id, recipient_key, reason
            order by occurred_at asc, campaign_id asc, event_id asc
        ) as event_rank,
        count(*) over (
            partition by provider, account_id, recipient_key, reason
        ) as qualifying_event_count,
        max(loaded_at) over (
            partition by provider, account_id, recipient_key, reason
        ) as last_loaded_at

    from qualifying_events
    where reason is not null

),

final as (

    select
        {{ email_event_id(['provider', 'account_id', 'recipient_key']) }} as recipient_account_key,
        provider,
        account_id,
        recipient_key,
        reason,
        occurred_at as suppressed_since,
        campaign_id,
        qualifying_event_count,
        last_loaded_at

    from ranked
    where (reason = 'repeated_soft_bounce' and event_rank = {{ threshold }})
        or (reason <> 'repeated_soft_bounce' and event_rank = 1)

)

select * from final
