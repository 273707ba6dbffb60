{#-
    One row per provider, account_id, recipient_key and reason: the recipients a CRM should stop
    mailing (CONTRACTS.md section 8). Reasons: `hard_bounce` (any hard bounce),
    `repeated_soft_bounce` (at least var `suppression_soft_bounce_threshold` soft-class bounce
    events, soft, block or unknown, over all campaigns of the account), `unsubscribed`,
    `complained`. suppressed_since = when the condition was first met (the first qualifying
    event; for repeated soft bounces the Nth), campaign_id = that event's campaign. Ties in time
    resolve by event_id, so a rerun picks the same event.
-#}

{%- set threshold = var('suppression_soft_bounce_threshold', 3) | int %}

with

events as (

    select * from {{ ref('fct_email_events') }}

),

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
        event_id

    from events
    where event_type in ('bounced', 'unsubscribed', 'complained')

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
        ) as qualifying_event_count

    from qualifying_events
    where reason is not null

),

final as (

    select
        provider,
        account_id,
        recipient_key,
        reason,
        occurred_at as suppressed_since,
        campaign_id,
        qualifying_event_count

    from ranked
    where (reason = 'repeated_soft_bounce' and event_rank = {{ threshold }})
        or (reason <> 'repeated_soft_bounce' and event_rank = 1)

)

select * from final
