{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

{#- One row per bucket of a histogram report snapshot. -#}
{{ stg_benchmark_report_buckets(
    table='report_histogram__histogram',
    report='report_histogram',
    count_column='event_count',
    details=[('detail__hard', 'hard_bounce_count'), ('detail__soft', 'soft_bounce_count')],
) }}
