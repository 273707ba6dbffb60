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

{#- the columns of every part, in order, with their types -#}
{%- set columns = [] -%}
{%- for name, datatype in [
    ('provider', dbt.type_string()),
    ('account_id', dbt.type_string()),
    ('subject_type', dbt.type_string()),
    ('subject', dbt.type_string()),
    ('metric', dbt.type_string()),
    ('modelled_from', dbt.type_string()),
    ('reported_value', dbt.type_bigint()),
    ('modelled_value', dbt.type_bigint()),
    ('difference', dbt.type_bigint()),
    ('reported_at', dbt.type_timestamp()),
] -%}
    {%- do columns.append({'name': name, 'datatype': datatype}) -%}
{%- endfor %}

with

{% for model_name, subject_type, subject_column in parts -%}
{%- set expressions = {'subject_type': "'" ~ subject_type ~ "'", 'subject': subject_column} -%}
{{ model_name }} as (

    select
        {%- for column in columns %}
        cast({{ expressions.get(column.name, column.name) }} as {{ column.datatype }})
            as {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}

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
    {{ staging_empty_relation(columns) }}
    {% endfor %}
)

select * from unioned
