{#-
    One row per Benchmark account_id, report snapshot (`subject`: overall or dashboard, pastDays and
    timezone) and metric: each count of Benchmark's own `GET /api/reports/email/overall` (for the
    period and the previous one) and `GET /api/reports/dashboard` (campaign counts and the contact
    count), the latest snapshot the loader took per parameters, beside the same count modelled
    for the same periods, cut at the time the snapshot was taken in its timezone (CONTRACTS.md
    sections 9, 10.1 and 10.4; pairs from fct_email_deliveries, contacts from int_email_contacts__unioned), and the
    difference (modelled - reported).
-#}

{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

{#- overall: (metric as Benchmark names it, its staged column, our count) -#}
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

{#- dashboard: (metric by its JSON path, its staged column, our count) -#}
{%- set dashboard_metrics = [
    ('campaign.sent.count', 'sent_count', 'sent_count'),
    ('campaign.delivered.count', 'delivered_count', 'delivered_count'),
    ('campaign.uniqueOpens.count.value', 'unique_open_count', 'unique_open_count'),
    ('campaign.uniqueClicks.count.value', 'unique_click_count', 'unique_click_count'),
    ('contact.count.value', 'contact_count', 'contact_count'),
] -%}

with

overall_reports as (

    select * from {{ ref('stg_benchmark__overall_reports') }}

),

dashboard_reports as (

    select * from {{ ref('stg_benchmark__dashboard_reports') }}

),

contacts as (

    select * from {{ ref('int_email_contacts__unioned') }}
    where provider = 'benchmark'

),

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}
    where provider = 'benchmark'

),

{% for report, relation in [('overall', 'overall_reports'), ('dashboard', 'dashboard_reports')] %}
{{ report }}_latest as (

    -- a report is a snapshot per run: the latest per parameters is Benchmark's current word
    select
        *,
        '{{ report }}?pastDays=' || cast(past_days as {{ dbt.type_string() }})
            || '&timezone=' || coalesce(report_timezone, 'UTC') as subject

    from ({{ latest_snapshots(relation, ['account_id', 'past_days', 'report_timezone']) }}) as latest

),

{% endfor %}
reported as (

    select subject, account_id, past_days, report_timezone, taken_at from overall_latest

    union all

    select subject, account_id, past_days, report_timezone, taken_at from dashboard_latest

),

snapshot_periods as (

    -- the periods the snapshot covered: pastDays at taken_at in the snapshot's own timezone
    -- (var report_period_alignment, as the report marts), and the one before
    select
        subject,
        'benchmark' as provider,
        account_id,
        past_days,
        taken_at as as_of,
        {{ report_period_bounds('taken_at', 'past_days', {'sql': "coalesce(report_timezone, 'UTC')"}) }}

    from reported

),

modelled as (

    {{ report_period_counts('deliveries', periods='snapshot_periods', period_keys=['subject']) }}

),

modelled_contacts as (

    select
        reported.subject,
        reported.account_id,
        count(contacts.contact_id) as contact_count

    from snapshot_periods as reported
    left join contacts
        on contacts.account_id is not distinct from reported.account_id
        and contacts.created_at < reported.period_end
    group by
        reported.subject,
        reported.account_id

),

unpivoted as (

    {{ benchmark_report_metric_rows(metrics, dashboard_metrics) }}

),

final as (

    select
        'benchmark' as provider,
        account_id,
        subject,
        metric,
        modelled_from,
        reported_value,
        modelled_value,
        modelled_value - reported_value as difference,
        reported_at

    from unpivoted

)

select * from final
