{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

{#- One row per bucket of an engagement report snapshot. -#}
{{ stg_benchmark_report_buckets(
    table='report_engagement__histogram',
    report='report_engagement',
    count_column='engagement_count',
    details=[
        ('detail__unique_opens', 'unique_open_count'),
        ('detail__unique_clicks', 'unique_click_count'),
    ],
) }}
