{#-
    The rows of benchmark_report_reconciliation, one per snapshot and metric: Benchmark's own
    count beside ours. `metrics`: the overall report's (metric as Benchmark names it, its staged
    column, our count), each as count.value (the period) and count.prev (the previous one);
    `dashboard_metrics`: the dashboard's (JSON path, staged column, our count; `contact_count`
    from modelled_contacts). Reads the model's CTEs overall_latest, dashboard_latest, modelled
    and modelled_contacts.
-#}
{% macro benchmark_report_metric_rows(metrics, dashboard_metrics) -%}

    {% for metric, staged, ours in metrics -%}
    {%- for suffix, reported_column, modelled_column in [
        ('count.value', staged ~ '_count', ours ~ '_count'),
        ('count.prev', staged ~ '_count_prev', 'previous_' ~ ours ~ '_count'),
    ] -%}
    select
        overall_latest.account_id,
        overall_latest.subject,
        '{{ metric }}.{{ suffix }}' as metric,
        'fct_email_deliveries' as modelled_from,
        overall_latest.{{ reported_column }} as reported_value,
        modelled.{{ modelled_column }} as modelled_value,
        overall_latest.taken_at as reported_at

    from overall_latest
    inner join modelled
        on overall_latest.subject = modelled.subject
        and overall_latest.account_id is not distinct from modelled.account_id

    union all

    {% endfor -%}
    {% endfor -%}
    {% for metric, staged, ours in dashboard_metrics -%}
    select
        dashboard_latest.account_id,
        dashboard_latest.subject,
        '{{ metric }}' as metric,
        {% if ours == 'contact_count' -%}
        'int_email_contacts__unioned' as modelled_from,
        dashboard_latest.{{ staged }} as reported_value,
        modelled_contacts.contact_count as modelled_value,
        {%- else -%}
        'fct_email_deliveries' as modelled_from,
        dashboard_latest.{{ staged }} as reported_value,
        modelled.{{ ours }} as modelled_value,
        {%- endif %}
        dashboard_latest.taken_at as reported_at

    from dashboard_latest
    inner join modelled
        on dashboard_latest.subject = modelled.subject
        and dashboard_latest.account_id is not distinct from modelled.account_id
    inner join modelled_contacts
        on dashboard_latest.subject = modelled_contacts.subject
        and dashboard_latest.account_id is not distinct from modelled_contacts.account_id
    {% if not loop.last %}
    union all

    {% endif -%}
    {% endfor %}
{%- endmacro %}
