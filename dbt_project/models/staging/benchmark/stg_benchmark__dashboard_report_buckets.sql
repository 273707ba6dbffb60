{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

{#- One row per bucket of a dashboard snapshot's contact histogram. -#}
{{ stg_benchmark_report_buckets(
    table='report_dashboard__contact__histogram__histogram',
    report='report_dashboard',
    count_column='contact_count',
) }}
