{#-
    One row per provider, account_id and past_days (1..90): the campaign numbers of a dashboard
    (Benchmark's `GET /api/reports/dashboard`, for every provider) over [as_of - past_days days,
    as_of), each against the previous period (CONTRACTS.md section 9).
-#}

with

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}

),

counts as (

    {{ report_period_counts('deliveries') }}

),

final as (

    select
        provider,
        account_id,
        past_days,
        period_start as period_start_at,
        as_of as period_end_at,
        previous_start as previous_period_start_at,

        sent_count,
        previous_sent_count,
        {{ report_diff('sent_count', 'previous_sent_count') }} as sent_count_diff,
        delivered_count,
        previous_delivered_count,
        {{ report_diff('delivered_count', 'previous_delivered_count') }} as delivered_count_diff,

        unique_open_count,
        previous_unique_open_count,
        {{ report_diff('unique_open_count', 'previous_unique_open_count') }} as unique_open_count_diff,
        {{ report_rate('unique_open_count', 'delivered_count') }} as open_rate,
        {{ report_rate('previous_unique_open_count', 'previous_delivered_count') }} as previous_open_rate,
        {{ report_diff(
            report_rate_hundredths('unique_open_count', 'delivered_count'),
            report_rate_hundredths('previous_unique_open_count', 'previous_delivered_count')
        ) }} as open_rate_diff,

        unique_click_count,
        previous_unique_click_count,
        {{ report_diff('unique_click_count', 'previous_unique_click_count') }} as unique_click_count_diff,
        {{ report_rate('unique_click_count', 'delivered_count') }} as click_rate,
        {{ report_rate('previous_unique_click_count', 'previous_delivered_count') }} as previous_click_rate,
        {{ report_diff(
            report_rate_hundredths('unique_click_count', 'delivered_count'),
            report_rate_hundredths('previous_unique_click_count', 'previous_delivered_count')
        ) }} as click_rate_diff

    from counts

)

select * from final
