{#-
    Parts of email_overall_delivery_time (CONTRACTS.md 9), kept here so the model stays short and
    its input is one macro for both alignments.
-#}

{#-
    The delivered pairs the slots count, in the columns provider, account_id, first_delivered_at,
    first_opened_at (naive UTC), delivered_pair_count and opened_pair_count. Calendar periods read
    the hourly aggregates (DECISIONLOG.md "Report marts from hourly per-campaign aggregates"),
    every time an hour start: the pairs first delivered per hour
    (int_email_report_first_events__hourly; first_opened_at null, delivered_pair_count = the
    pairs, opened_pair_count 0) and those first delivered in one hour and first opened in an hour
    (int_email_report_cohorts__hourly, cohort `delivered_open`; delivered_pair_count 0,
    opened_pair_count = the pairs). Rolling periods read one row per pair of `deliveries`
    (fct_email_deliveries), both counts 1. A row without a first delivery is the caller's to drop.
-#}
{% macro report_delivery_time_pairs(deliveries) -%}
    {%- if report_period_alignment() == 'calendar' %}
    select
        provider,
        account_id,
        event_hour_start_utc as first_delivered_at,
        cast(null as {{ dbt.type_timestamp() }}) as first_opened_at,
        pair_count as delivered_pair_count,
        0 as opened_pair_count
    from {{ ref('int_email_report_first_events__hourly') }}
    where event_type = 'email-delivered'

    union all

    select
        provider,
        account_id,
        cohort_hour_start_utc as first_delivered_at,
        outcome_hour_start_utc as first_opened_at,
        0 as delivered_pair_count,
        pair_count as opened_pair_count
    from {{ ref('int_email_report_cohorts__hourly') }}
    where cohort = 'delivered_open'
    {%- else %}
    select
        provider,
        account_id,
        -- a delivery derived without a delivery event (Maxemail) is delivered at the first send
        {{ report_first_delivered_at() }} as first_delivered_at,
        first_opened_at,
        1 as delivered_pair_count,
        1 as opened_pair_count
    from {{ deliveries }}
    {%- endif %}
{%- endmacro %}
