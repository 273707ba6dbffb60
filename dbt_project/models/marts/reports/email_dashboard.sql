{#-
    One row per provider, account_id and past_days (1..90): the campaign numbers of a dashboard
    (Benchmark's `GET /api/reports/dashboard`, for every provider) over the period, each against
    the previous period (CONTRACTS.md section 9; open and click rates of the pairs first delivered
    in the period, bounded by 100); and, for a provider with contact data (Benchmark), the
    contacts created before the period end against those created before its start
    (CONTRACTS.md 10.1; null for the others).
-#}

with

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}

),

contacts as (

    select * from {{ ref('int_email_contacts__unioned') }}

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

contact_counts as (

    select
        contacts.provider,
        contacts.account_id,
        periods.past_days,
        count(case when contacts.created_at < periods.period_end then 1 end) as contact_count,
        count(case when contacts.created_at < periods.period_start then 1 end) as previous_contact_count
    from contacts
    cross join ({{ report_periods() }}) as periods
    group by
        contacts.provider,
        contacts.account_id,
        periods.past_days

),

joined as (

    select
        counts.*,
        -- a provider with contact data and no contact (none listed, or no `contacts` table
        -- yet) counts 0; the others have no contact data (null)
        case when {{ is_contact_data_provider('counts.provider') }}
            then coalesce(contact_counts.contact_count, 0) end as contact_count,
        case when {{ is_contact_data_provider('counts.provider') }}
            then coalesce(contact_counts.previous_contact_count, 0) end as previous_contact_count
    from counts
    left join contact_counts
        on contact_counts.provider = counts.provider
        and contact_counts.account_id is not distinct from counts.account_id
        and contact_counts.past_days = counts.past_days

),

final as (

    select
        provider,
        account_id,
        past_days,
        period_start as period_start_at,
        period_end as period_end_at,
        previous_start as previous_period_start_at,

        {{ report_count_columns('sent_count') }},
        {{ report_count_columns('delivered_count') }},

        {{ report_count_columns('unique_open_count') }},
        {{ report_rate_columns('open_rate', 'delivered_open_count', 'delivered_count') }},

        {{ report_count_columns('unique_click_count') }},
        {{ report_rate_columns('click_rate', 'delivered_click_count', 'delivered_count') }},

        -- issue 16: the same for the pairs' first open / click not flagged as a machine's
        {{ report_count_columns('human_unique_open_count') }},
        {{ report_rate_columns('human_open_rate', 'delivered_human_open_count', 'delivered_count') }},

        {{ report_count_columns('human_unique_click_count') }},
        {{ report_rate_columns('human_click_rate', 'delivered_human_click_count', 'delivered_count') }},

        contact_count,
        previous_contact_count,
        -- cast again: PostgreSQL drops the numeric's scale from a case expression
        {{ report_decimal(
            "case when contact_count is not null then "
            ~ report_diff('contact_count', 'previous_contact_count') ~ " end"
        ) }} as contact_count_diff

    from joined

)

select * from final
