{#-
    One row per provider, account_id and past_days (1..90): the overall numbers (Benchmark's
    `GET /api/reports/email/overall` stats, for every provider) over [as_of - past_days days,
    as_of) against the previous period: counts of pairs whose first event of the kind falls in the
    period, with previous and diff, and rates (% of the period's delivered) with previous and diff
    (CONTRACTS.md section 9).
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

        unique_click_count,
        previous_unique_click_count,
        {{ report_diff('unique_click_count', 'previous_unique_click_count') }} as unique_click_count_diff,

        bounce_count,
        previous_bounce_count,
        {{ report_diff('bounce_count', 'previous_bounce_count') }} as bounce_count_diff,

        hard_bounce_count,
        previous_hard_bounce_count,
        {{ report_diff('hard_bounce_count', 'previous_hard_bounce_count') }} as hard_bounce_count_diff,

        soft_bounce_count,
        previous_soft_bounce_count,
        {{ report_diff('soft_bounce_count', 'previous_soft_bounce_count') }} as soft_bounce_count_diff,

        complaint_count,
        previous_complaint_count,
        {{ report_diff('complaint_count', 'previous_complaint_count') }} as complaint_count_diff,

        unsubscribe_count,
        previous_unsubscribe_count,
        {{ report_diff('unsubscribe_count', 'previous_unsubscribe_count') }} as unsubscribe_count_diff,

        {{ report_rate('unique_open_count', 'delivered_count') }} as open_rate,
        {{ report_rate('previous_unique_open_count', 'previous_delivered_count') }} as previous_open_rate,
        {{ report_diff(
            report_rate_hundredths('unique_open_count', 'delivered_count'),
            report_rate_hundredths('previous_unique_open_count', 'previous_delivered_count')
        ) }} as open_rate_diff,

        {{ report_rate('unique_click_count', 'delivered_count') }} as click_rate,
        {{ report_rate('previous_unique_click_count', 'previous_delivered_count') }} as previous_click_rate,
        {{ report_diff(
            report_rate_hundredths('unique_click_count', 'delivered_count'),
            report_rate_hundredths('previous_unique_click_count', 'previous_delivered_count')
        ) }} as click_rate_diff,

        {{ report_rate('bounce_count', 'delivered_count') }} as bounce_rate,
        {{ report_rate('previous_bounce_count', 'previous_delivered_count') }} as previous_bounce_rate,
        {{ report_diff(
            report_rate_hundredths('bounce_count', 'delivered_count'),
            report_rate_hundredths('previous_bounce_count', 'previous_delivered_count')
        ) }} as bounce_rate_diff,

        {{ report_rate('hard_bounce_count', 'delivered_count') }} as hard_bounce_rate,
        {{ report_rate('previous_hard_bounce_count', 'previous_delivered_count') }} as previous_hard_bounce_rate,
        {{ report_diff(
            report_rate_hundredths('hard_bounce_count', 'delivered_count'),
            report_rate_hundredths('previous_hard_bounce_count', 'previous_delivered_count')
        ) }} as hard_bounce_rate_diff,

        {{ report_rate('soft_bounce_count', 'delivered_count') }} as soft_bounce_rate,
        {{ report_rate('previous_soft_bounce_count', 'previous_delivered_count') }} as previous_soft_bounce_rate,
        {{ report_diff(
            report_rate_hundredths('soft_bounce_count', 'delivered_count'),
            report_rate_hundredths('previous_soft_bounce_count', 'previous_delivered_count')
        ) }} as soft_bounce_rate_diff

    from counts

)

select * from final
