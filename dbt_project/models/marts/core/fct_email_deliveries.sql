{#-
    One row per provider, account_id, campaign_id and recipient_key with at least one event of a
    known kind: what ever happened to that recipient in that message (CONTRACTS.md 8 and 10.3).
    Incremental (delete+insert on delivery_id, the same on DuckDB and PostgreSQL): a run
    recomputes, from all of their events, only the pairs with an event loaded within the lookback
    (macro loaded_within_lookback, on `last_loaded_at`); a pair's row depends on its own events
    only, so the other rows stay right. Seed edits need `--full-refresh`. Which events a run reads
    (all known ones, or those of the changed pairs) is the CTE `events` of macro
    delivery_events_ctes (macros/reports/core_incremental.sql).
-#}

{{
    config(
        materialized='incremental',
        unique_key='delivery_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

{{ delivery_events_ctes(ref('fct_email_events'), is_incremental()) }},

providers as (

    select * from {{ ref('email_providers') }}

),

recipient_messages as (

    select
        provider,
        account_id,
        campaign_id,
        recipient_key,
        min(message_type) as message_type,
        {{ dbt.bool_or("event_type = 'sent'") }} as was_sent,
        {{ dbt.bool_or("event_type = 'delivered'") }} as has_delivery_event,
        {{ dbt.bool_or("event_type = 'opened'") }} as was_opened,
        {{ dbt.bool_or("event_type = 'clicked'") }} as was_clicked,
        -- human engagement (issue 16): an open or click no machine rule fired on
        -- (fct_email_events.is_machine_open / is_bot_click; null in rows built without them)
        {{ dbt.bool_or("event_type = 'opened' and not coalesce(is_machine_open, false)") }}
            as was_opened_by_human,
        {{ dbt.bool_or("event_type = 'clicked' and not coalesce(is_bot_click, false)") }}
            as was_clicked_by_human,
        {{ dbt.bool_or("event_type = 'unsubscribed'") }} as was_unsubscribed,
        {{ dbt.bool_or("event_type = 'complained'") }} as was_complained,
        {{ dbt.bool_or("event_type = 'bounced' and bounce_class = 'hard'") }} as has_hard_bounce,
        {{ dbt.bool_or(
            "event_type = 'bounced' and bounce_class in ('soft', 'block', 'unknown')"
        ) }} as has_soft_bounce,
        min(case when event_type = 'sent' then occurred_at end) as first_sent_at,
        min(case when event_type = 'delivered' then occurred_at end) as first_delivery_event_at,
        min(case when event_type = 'opened' then occurred_at end) as first_opened_at,
        max(case when event_type = 'opened' then occurred_at end) as last_opened_at,
        min(case when event_type = 'clicked' then occurred_at end) as first_clicked_at,
        max(case when event_type = 'clicked' then occurred_at end) as last_clicked_at,
        min({{ human_engagement_time('opened', 'is_machine_open') }}) as first_human_opened_at,
        max({{ human_engagement_time('opened', 'is_machine_open') }}) as last_human_opened_at,
        min({{ human_engagement_time('clicked', 'is_bot_click') }}) as first_human_clicked_at,
        max({{ human_engagement_time('clicked', 'is_bot_click') }}) as last_human_clicked_at,
        -- informational bounces (auto-replies) are no bounce, so they do not set the time either
        min(
            case
                when event_type = 'bounced' and bounce_class in ('hard', 'soft', 'block', 'unknown')
                    then occurred_at
            end
        ) as first_bounced_at,
        min(case when event_type = 'unsubscribed' then occurred_at end) as first_unsubscribed_at,
        min(case when event_type = 'complained' then occurred_at end) as first_complained_at,
        count(case when event_type = 'opened' then 1 end) as open_event_count,
        count(case when event_type = 'clicked' then 1 end) as click_event_count,
        count({{ human_engagement_time('opened', 'is_machine_open') }}) as human_open_event_count,
        count({{ human_engagement_time('clicked', 'is_bot_click') }}) as human_click_event_count,
        max(loaded_at) as last_loaded_at

    from events
    group by
        provider,
        account_id,
        campaign_id,
        recipient_key

),

ruled as (

    -- a recipient is hard if any bounce was hard, else soft if any was soft, block or unknown;
    -- delivered by the provider's delivered_rule (seed email_providers): `delivered_events`
    -- needs a delivery event, `sent_not_bounced` (no delivery events) is sent and not bounced
    select
        recipient_messages.*,
        case
            when recipient_messages.has_hard_bounce then 'hard'
            when recipient_messages.has_soft_bounce then 'soft'
        end as bounce_class,
        recipient_messages.has_hard_bounce or recipient_messages.has_soft_bounce as was_bounced,
        case
            when providers.delivered_rule = 'sent_not_bounced'
                then recipient_messages.was_sent
                    and not (recipient_messages.has_hard_bounce or recipient_messages.has_soft_bounce)
            else recipient_messages.has_delivery_event
        end as was_delivered

    from recipient_messages
    left join providers
        on recipient_messages.provider = providers.provider

),

final as (

    select
        {{ email_event_id(['provider', 'account_id', 'campaign_id', 'recipient_key']) }}
            as delivery_id,
        provider,
        account_id,
        campaign_id,
        recipient_key,
        message_type,
        was_sent,
        was_delivered,
        was_bounced,
        was_opened,
        was_clicked,
        was_opened_by_human,
        was_clicked_by_human,
        was_unsubscribed,
        was_complained,
        bounce_class,
        first_sent_at,
        -- a derived delivery (sent_not_bounced) is dated at the send (CONTRACTS section 9), so
        -- period counts of delivered pairs work the same for every provider
        case
            when first_delivery_event_at is not null then first_delivery_event_at
            when was_delivered then first_sent_at
        end as first_delivered_at,
        first_opened_at,
        last_opened_at,
        first_clicked_at,
        last_clicked_at,
        first_human_opened_at,
        last_human_opened_at,
        first_human_clicked_at,
        last_human_clicked_at,
        first_bounced_at,
        first_unsubscribed_at,
        first_complained_at,
        open_event_count,
        click_event_count,
        human_open_event_count,
        human_click_event_count,
        {{ dbt.datediff(
            'coalesce(first_delivery_event_at, first_sent_at)', 'first_opened_at', 'second'
        ) }} as seconds_to_first_open,
        last_loaded_at

    from ruled

)

select * from final
