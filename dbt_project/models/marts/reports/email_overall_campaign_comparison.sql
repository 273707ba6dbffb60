{#-
    One row per provider, account_id, past_days (1..90) and campaign whose send started in
    the period (CONTRACTS.md 9) (Benchmark's `campaignComparison` of
    `GET /api/reports/email/overall`, for every provider; CONTRACTS.md 10.2). A campaign starts at
    the provider's scheduled send time when its API gives one, else at its first send; its open and
    click rates are those of the whole campaign (email_campaign_report, 0 without events);
    comparison_rank 1 is the newest start, ties by campaign_id.
-#}

with

campaigns as (

    select * from {{ ref('int_email_campaigns__unioned') }}

),

hourly as (

    select * from {{ ref('int_email_report_first_events__hourly') }}

),

campaign_reports as (

    select * from {{ ref('email_campaign_report') }}

),

periods as (

    {{ report_periods() }}

),

first_sends as (

    select
        provider,
        account_id,
        campaign_id,
        min(first_event_at) as first_sent_at

    from hourly
    where event_type = 'email-sent'
    group by
        provider,
        account_id,
        campaign_id

),

started_campaigns as (

    select
        campaigns.provider,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.campaign_name,
        coalesce(
            cast(campaigns.scheduled_sent_at as {{ dbt.type_timestamp() }}),
            cast(first_sends.first_sent_at as {{ dbt.type_timestamp() }})
        ) as campaign_started_at

    from campaigns
    left join first_sends
        on campaigns.provider = first_sends.provider
        and campaigns.account_id is not distinct from first_sends.account_id
        and campaigns.campaign_id = first_sends.campaign_id

),

campaigns_in_periods as (

    select
        started_campaigns.*,
        periods.past_days,
        periods.period_start,
        periods.period_end

    from started_campaigns
    inner join periods
        on started_campaigns.campaign_started_at >= periods.period_start
        and started_campaigns.campaign_started_at < periods.period_end

),

final as (

    select
        campaigns_in_periods.provider,
        campaigns_in_periods.account_id,
        campaigns_in_periods.past_days,
        campaigns_in_periods.period_start as period_start_at,
        campaigns_in_periods.period_end as period_end_at,
        campaigns_in_periods.campaign_id,
        campaigns_in_periods.campaign_name,
        campaigns_in_periods.campaign_started_at,
        {{ report_decimal('coalesce(campaign_reports.open_rate, 0)') }} as open_rate,
        {{ report_decimal('coalesce(campaign_reports.click_rate, 0)') }} as click_rate,
        row_number() over (
            partition by
                campaigns_in_periods.provider,
                campaigns_in_periods.account_id,
                campaigns_in_periods.past_days
            order by
                campaigns_in_periods.campaign_started_at desc,
                campaigns_in_periods.campaign_id asc
        ) as comparison_rank

    from campaigns_in_periods
    left join campaign_reports
        on campaigns_in_periods.provider = campaign_reports.provider
        and campaigns_in_periods.account_id is not distinct from campaign_reports.account_id
        and campaigns_in_periods.campaign_id = campaign_reports.campaign_id

)

select * from final
