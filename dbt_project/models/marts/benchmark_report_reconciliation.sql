{#-
    One row per Benchmark account_id, overall report (pastDays and timezone) and metric: each count
    of Benchmark's own `GET /api/reports/email/overall` (the latest snapshot the loader took for
    those parameters), for the period and the previous one, beside the same count modelled from
    fct_email_deliveries for the same periods, ending when the snapshot was taken
    (CONTRACTS.md section 9 definitions), and the difference (modelled - reported). The
    dashboard's campaign counts are the same numbers as the overall's for the same pastDays.
-#}

{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

{#- (metric as Benchmark names it, its staged column, our count) -#}
{%- set metrics = [
    ('sent', 'sent', 'sent'),
    ('delivered', 'delivered', 'delivered'),
    ('uniqueOpens', 'unique_opens', 'unique_open'),
    ('uniqueClicks', 'unique_clicks', 'unique_click'),
    ('totalBounces', 'total_bounces', 'bounce'),
    ('hardBounces', 'hard_bounces', 'hard_bounce'),
    ('softBounces', 'soft_bounces', 'soft_bounce'),
    ('complaints', 'complaints', 'complaint'),
    ('unsubscribes', 'unsubscribes', 'unsubscribe'),
] -%}

with

overall_reports as (

    select * from {{ ref('stg_benchmark__overall_reports') }}

),

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}
    where provider = 'benchmark'

),

ranked_reports as (

    select
        *,
        row_number() over (
            partition by account_id, past_days, report_timezone
            order by taken_at desc, loaded_at desc
        ) as snapshot_rank

    from overall_reports

),

reported as (

    select
        *,
        'overall?pastDays=' || cast(past_days as {{ dbt.type_string() }})
            || '&timezone=' || coalesce(report_timezone, 'UTC') as subject

    from ranked_reports
    where snapshot_rank = 1

),

snapshot_periods as (

    -- the periods the snapshot covered: [taken_at - pastDays days, taken_at) and the one before
    select
        subject,
        'benchmark' as provider,
        account_id,
        past_days,
        taken_at as as_of,
        {{ dbt.dateadd('day', '-past_days', 'taken_at') }} as period_start,
        {{ dbt.dateadd('day', '-2 * past_days', 'taken_at') }} as previous_start

    from reported

),

modelled as (

    {{ report_period_counts('deliveries', periods='snapshot_periods', period_keys=['subject']) }}

),

unpivoted as (

    {% for metric, staged, ours in metrics -%}
    {%- for suffix, reported_column, modelled_column in [
        ('count.value', staged ~ '_count', ours ~ '_count'),
        ('count.prev', staged ~ '_count_prev', 'previous_' ~ ours ~ '_count'),
    ] -%}
    select
        'benchmark' as provider,
        reported.account_id,
        reported.subject,
        '{{ metric }}.{{ suffix }}' as metric,
        'fct_email_deliveries' as modelled_from,
        reported.{{ reported_column }} as reported_value,
        modelled.{{ modelled_column }} as modelled_value,
        modelled.{{ modelled_column }} - reported.{{ reported_column }} as difference,
        reported.taken_at as reported_at

    from reported
    inner join modelled
        on reported.subject = modelled.subject
        and reported.account_id is not distinct from modelled.account_id
    {% if not loop.last %}
    union all

    {% endif -%}
    {%- endfor %}
    {% if not loop.last %}
    union all

    {% endif -%}
    {% endfor %}
)

select * from unpivoted
