{#-
    One row per provider, account_id and campaign_id with at least one event: the campaign report
    of CONTRACTS.md section 4 (mirrors Benchmark's GET /api/reports/email/{id}). Counts are
    distinct recipients; rates are percentages of delivered_count. Providers without delivery
    events derive delivered from sent and bounces (seed email_providers, CONTRACTS.md 5.3).
-#}

with

events as (

    select * from {{ ref('fct_email_events') }}

),

campaigns as (

    select * from {{ ref('dim_email_campaigns') }}

),

providers as (

    select * from {{ ref('email_providers') }}

),

recipient_campaigns as (

    -- one row per recipient and campaign: what ever happened to that recipient
    select
        provider,
        account_id,
        campaign_id,
        recipient_key,
        min(message_type) as message_type,
        {{ dbt.bool_or("event_type = 'sent'") }} as was_sent,
        {{ dbt.bool_or("event_type = 'delivered'") }} as was_delivered,
        {{ dbt.bool_or("event_type = 'opened'") }} as was_opened,
        {{ dbt.bool_or("event_type = 'clicked'") }} as was_clicked,
        {{ dbt.bool_or("event_type = 'unsubscribed'") }} as was_unsubscribed,
        {{ dbt.bool_or("event_type = 'complained'") }} as was_complained,
        {{ dbt.bool_or("event_type = 'bounced' and bounce_class = 'hard'") }} as has_hard_bounce,
        {{ dbt.bool_or(
            "event_type = 'bounced' and bounce_class in ('soft', 'block', 'unknown')"
        ) }} as has_soft_bounce,
        max(case when event_type = 'opened' then occurred_at end) as last_opened_at,
        max(case when event_type = 'clicked' then occurred_at end) as last_clicked_at

    from events
    group by
        provider,
        account_id,
        campaign_id,
        recipient_key

),

recipient_bounces as (

    -- a recipient counts once: hard if any bounce was hard, else soft if any was soft, block or
    -- unknown; informational bounces (auto-replies) count as neither
    select
        *,
        has_hard_bounce as is_hard_bounce,
        has_soft_bounce and not has_hard_bounce as is_soft_bounce

    from recipient_campaigns

),

recipient_deliveries as (

    -- a provider without delivery events (Maxemail) delivered what it sent and did not bounce;
    -- the others count their delivery events
    select
        recipient_bounces.*,
        case
            when providers.delivered_rule = 'sent_not_bounced'
                then recipient_bounces.was_sent
                and not recipient_bounces.is_hard_bounce
                and not recipient_bounces.is_soft_bounce
            else recipient_bounces.was_delivered
        end as is_delivered

    from recipient_bounces
    left join providers
        on recipient_bounces.provider = providers.provider

),

campaign_counts as (

    select
        provider,
        account_id,
        campaign_id,
        min(message_type) as message_type,
        count(case when was_sent then 1 end) as sent_count,
        count(case when is_delivered then 1 end) as delivered_count,
        count(case when was_opened then 1 end) as unique_open_count,
        max(last_opened_at) as last_opened_at,
        count(case when was_clicked then 1 end) as unique_click_count,
        max(last_clicked_at) as last_clicked_at,
        count(case when is_hard_bounce then 1 end) as hard_bounce_count,
        count(case when is_soft_bounce then 1 end) as soft_bounce_count,
        count(case when was_unsubscribed then 1 end) as unsubscribe_count,
        count(case when was_complained then 1 end) as complaint_count

    from recipient_deliveries
    group by
        provider,
        account_id,
        campaign_id

),

final as (

    select
        campaign_counts.provider,
        campaign_counts.account_id,
        campaign_counts.campaign_id,
        coalesce(campaigns.message_type, campaign_counts.message_type) as message_type,
        campaigns.campaign_name,
        campaign_counts.sent_count,
        campaign_counts.delivered_count,
        campaign_counts.unique_open_count,
        {{ percentage_of('campaign_counts.unique_open_count', 'campaign_counts.delivered_count') }}
            as open_rate,
        campaign_counts.last_opened_at,
        campaign_counts.unique_click_count,
        {{ percentage_of('campaign_counts.unique_click_count', 'campaign_counts.delivered_count') }}
            as click_rate,
        campaign_counts.last_clicked_at,
        campaign_counts.hard_bounce_count + campaign_counts.soft_bounce_count as bounce_count,
        {{ percentage_of(
            'campaign_counts.hard_bounce_count + campaign_counts.soft_bounce_count',
            'campaign_counts.delivered_count',
        ) }} as bounce_rate,
        campaign_counts.hard_bounce_count,
        {{ percentage_of('campaign_counts.hard_bounce_count', 'campaign_counts.delivered_count') }}
            as hard_bounce_rate,
        campaign_counts.soft_bounce_count,
        {{ percentage_of('campaign_counts.soft_bounce_count', 'campaign_counts.delivered_count') }}
            as soft_bounce_rate,
        campaign_counts.unsubscribe_count,
        campaign_counts.complaint_count

    from campaign_counts
    left join campaigns
        on campaign_counts.provider = campaigns.provider
        and campaign_counts.account_id = campaigns.account_id
        and campaign_counts.campaign_id = campaigns.campaign_id

)

select * from final
