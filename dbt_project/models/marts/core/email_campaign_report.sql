{#-
    One row per provider, account_id and campaign_id with at least one event: the campaign report
    of CONTRACTS.md section 4 (mirrors Benchmark's GET /api/reports/email/{id}). Counts are
    distinct recipients, counted on fct_email_deliveries (one row per recipient and message,
    which also applies the provider's delivery rule, seed email_providers, CONTRACTS.md 5.3);
    open and click rates are percentages of delivered_count (the OpenAPI's guide), bounce rates of
    sent_count (the OpenAPI is silent for this report: the base its overall report documents).
    The human columns (issue 16) count the pairs opened or clicked by a human
    (fct_email_deliveries' was_opened_by_human, was_clicked_by_human: an open or click no machine
    rule flagged), on the same base. A flag changes only together with a newly loaded event of
    its pair (macros/machine_flags.sql), which moves the pair's last_loaded_at: the incremental
    rule below needs nothing more.
    Incremental (delete+insert on campaign_key): a run recomputes, from all their pairs, the
    campaigns with a pair loaded within `event_lookback_hours` of the provider's newest
    `last_loaded_at` here and those whose name or type in dim_email_campaigns changed (macro
    campaign_report_changed_campaigns).
-#}

{{
    config(
        materialized='incremental',
        unique_key='campaign_key',
        incremental_strategy='delete+insert',
    )
}}

with

campaigns as (

    select * from {{ ref('dim_email_campaigns') }}

),

{% if is_incremental() %}

deliveries as (

    select pairs.*
    from {{ ref('fct_email_deliveries') }} as pairs
    inner join ({{ campaign_report_changed_campaigns(ref('fct_email_deliveries'), 'campaigns') }}) as changed
        on pairs.provider = changed.provider
        and pairs.account_id is not distinct from changed.account_id
        and pairs.campaign_id = changed.campaign_id

),

{% else %}

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}

),

{% endif %}

campaign_counts as (

    select
        provider,
        account_id,
        campaign_id,
        min(message_type) as message_type,
        count(case when was_sent then 1 end) as sent_count,
        count(case when was_delivered then 1 end) as delivered_count,
        count(case when was_opened then 1 end) as unique_open_count,
        max(last_opened_at) as last_opened_at,
        count(case when was_clicked then 1 end) as unique_click_count,
        max(last_clicked_at) as last_clicked_at,
        -- human engagement (issue 16): the pairs' opens and clicks no machine rule flagged
        count(case when was_opened_by_human then 1 end) as human_unique_open_count,
        max(last_human_opened_at) as last_human_opened_at,
        count(case when was_clicked_by_human then 1 end) as human_unique_click_count,
        max(last_human_clicked_at) as last_human_clicked_at,
        count(case when bounce_class = 'hard' then 1 end) as hard_bounce_count,
        count(case when bounce_class = 'soft' then 1 end) as soft_bounce_count,
        count(case when was_unsubscribed then 1 end) as unsubscribe_count,
        count(case when was_complained then 1 end) as complaint_count,
        max(last_loaded_at) as last_loaded_at

    from deliveries
    group by
        provider,
        account_id,
        campaign_id

),

final as (

    select
        {{ report_campaign_key('campaign_counts.') }} as campaign_key,
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
        campaign_counts.human_unique_open_count,
        {{ percentage_of('campaign_counts.human_unique_open_count', 'campaign_counts.delivered_count') }}
            as human_open_rate,
        campaign_counts.last_human_opened_at,
        campaign_counts.human_unique_click_count,
        {{ percentage_of('campaign_counts.human_unique_click_count', 'campaign_counts.delivered_count') }}
            as human_click_rate,
        campaign_counts.last_human_clicked_at,
        campaign_counts.hard_bounce_count + campaign_counts.soft_bounce_count as bounce_count,
        {{ percentage_of(
            'campaign_counts.hard_bounce_count + campaign_counts.soft_bounce_count',
            'campaign_counts.sent_count',
        ) }} as bounce_rate,
        campaign_counts.hard_bounce_count,
        {{ percentage_of('campaign_counts.hard_bounce_count', 'campaign_counts.sent_count') }}
            as hard_bounce_rate,
        campaign_counts.soft_bounce_count,
        {{ percentage_of('campaign_counts.soft_bounce_count', 'campaign_counts.sent_count') }}
            as soft_bounce_rate,
        campaign_counts.unsubscribe_count,
        campaign_counts.complaint_count,
        campaign_counts.last_loaded_at

    from campaign_counts
    left join campaigns
        on campaign_counts.provider = campaigns.provider
        and campaign_counts.account_id = campaigns.account_id
        and campaign_counts.campaign_id = campaigns.campaign_id

)

select * from final
