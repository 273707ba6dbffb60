{#-
    One row per provider, account_id and past_days (1..90): the overall numbers (Benchmark's
    `GET /api/reports/email/overall` stats, for every provider) over the period against the
    previous one (CONTRACTS.md section 9): counts of pairs whose first event of the kind falls in
    the period, with previous and diff; rates on the OpenAPI's bases (opens and clicks on
    delivered, bounces on sent), bounded by 100: of the pairs first delivered (sent) in the period,
    those first opened or clicked (bounced) before its end.
-#}

with

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}

),

counts as (

    {%- if report_period_alignment() == 'calendar' %}
    -- calendar periods: sums of the hourly aggregates (DECISIONLOG.md "Report marts from hourly
    -- per-campaign aggregates"); rolling periods cut hours, so they count the pairs themselves
    {{ report_period_counts_hourly(
        ref('int_email_report_first_events__hourly'), ref('int_email_report_cohorts__hourly')
    ) }}
    {%- else %}
    {{ report_period_counts('deliveries') }}
    {%- endif %}

),

final as (

    select
        provider,
        account_id,
        past_days,
        period_start as period_start_at,
        period_end as period_end_at,
        previous_start as previous_period_start_at,

        {%- for count in [
            'sent_count', 'delivered_count', 'unique_open_count', 'unique_click_count',
            'bounce_count', 'hard_bounce_count', 'soft_bounce_count', 'complaint_count',
            'unsubscribe_count', 'human_unique_open_count', 'human_unique_click_count',
        ] %}
        {{ report_count_columns(count) }},
        {%- endfor %}

        {%- for rate, numerator, base in [
            ('open_rate', 'delivered_open_count', 'delivered_count'),
            ('click_rate', 'delivered_click_count', 'delivered_count'),
            ('bounce_rate', 'sent_bounce_count', 'sent_count'),
            ('hard_bounce_rate', 'sent_hard_bounce_count', 'sent_count'),
            ('soft_bounce_rate', 'sent_soft_bounce_count', 'sent_count'),
            ('human_open_rate', 'delivered_human_open_count', 'delivered_count'),
            ('human_click_rate', 'delivered_human_click_count', 'delivered_count'),
        ] %}
        {{ report_rate_columns(rate, numerator, base) }}{{ ',' if not loop.last }}
        {%- endfor %}

    from counts

)

select * from final
