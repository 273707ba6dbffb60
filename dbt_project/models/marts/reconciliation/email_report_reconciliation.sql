{#-
    One row per provider, account_id, subject and metric: the rows of every enabled provider's
    reconciliation model in one shape (CONTRACTS.md section 8). `subject` is the campaign id
    (Maxemail, Benchmark; subject_type `campaign`), a report and its parameters (Benchmark's
    overall report snapshots; subject_type `report`) or the account-local stats date as
    YYYY-MM-DD text (Netcore; subject_type `date`). A part is included only when its model is
    enabled (maxemail_enabled; benchmark_enabled and benchmark_reports_enabled; netcore_enabled);
    with none of them the model is empty, with the same columns. Benchmark's per-link clicks
    (benchmark_link_reconciliation) are campaign rows whose metric names the link.
-#}

{%- set parts = [] -%}
{%- if var('maxemail_enabled', true) -%}
    {%- do parts.append(('maxemail_campaign_reconciliation', 'campaign', 'campaign_id')) -%}
{%- endif -%}
{%- if var('benchmark_enabled', true) and var('benchmark_reports_enabled', true) -%}
    {%- do parts.append(('benchmark_campaign_reconciliation', 'campaign', 'campaign_id')) -%}
    {%- do parts.append(('benchmark_link_reconciliation', 'campaign', 'campaign_id')) -%}
    {%- do parts.append(('benchmark_report_reconciliation', 'report', 'subject')) -%}
{%- endif -%}
{%- if var('netcore_enabled', true) -%}
    {%- do parts.append(('netcore_stats_reconciliation', 'date', 'stats_date')) -%}
{%- endif %}

with

{% for model_name, subject_type, subject_column in parts -%}
{{ model_name }} as (

    select
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast('{{ subject_type }}' as {{ dbt.type_string() }}) as subject_type,
        cast({{ subject_column }} as {{ dbt.type_string() }}) as subject,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(modelled_from as {{ dbt.type_string() }}) as modelled_from,
        cast(reported_value as {{ dbt.type_bigint() }}) as reported_value,
        cast(modelled_value as {{ dbt.type_bigint() }}) as modelled_value,
        cast(difference as {{ dbt.type_bigint() }}) as difference,
        cast(reported_at as {{ dbt.type_timestamp() }}) as reported_at

    from {{ ref(model_name) }}

),

{% endfor -%}

unioned as (

    {% for model_name, _, _ in parts -%}
    select * from {{ model_name }}
    {% if not loop.last %}
    union all

    {% endif -%}
    {% else -%}
    -- no provider with a reconciliation is enabled: no rows, the same columns
    select
        cast(null as {{ dbt.type_string() }}) as provider,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as subject_type,
        cast(null as {{ dbt.type_string() }}) as subject,
        cast(null as {{ dbt.type_string() }}) as metric,
        cast(null as {{ dbt.type_string() }}) as modelled_from,
        cast(null as {{ dbt.type_bigint() }}) as reported_value,
        cast(null as {{ dbt.type_bigint() }}) as modelled_value,
        cast(null as {{ dbt.type_bigint() }}) as difference,
        cast(null as {{ dbt.type_timestamp() }}) as reported_at
    where 1 = 0
    {% endfor %}
)

select * from unioned
