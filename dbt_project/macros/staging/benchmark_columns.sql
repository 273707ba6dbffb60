{#-
    The raw columns each Benchmark Email staging model expects (CONTRACTS.md section 7.2), for
    fill_staging_columns. dlt names the API's camelCase fields in snake_case and flattens nested
    objects into `<parent>__<child>` columns; ISO 8601 times arrive as `timestamp with time zone`.
-#}
{% macro benchmark__typed_columns(text_columns=[], bigint_columns=[], float_columns=[], timestamp_columns=[], quoted=[]) -%}
    {%- set columns = [] -%}
    {%- for name in text_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_string(), 'quote': name in quoted}) -%}
    {%- endfor -%}
    {%- for name in bigint_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_bigint()}) -%}
    {%- endfor -%}
    {%- for name in float_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_float()}) -%}
    {%- endfor -%}
    {%- for name in timestamp_columns -%}
        {%- do columns.append({
            'name': name,
            'datatype': dbt.type_timestamp() ~ ' with time zone',
            'quote': name in quoted,
        }) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- `campaigns`: one row per campaign record of `GET /api/email/campaign` (`stats` flattened). -#}
{% macro benchmark__campaigns_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=[
            '_id', 'name', 'from', 'subject', 'preview_text', 'status', 'sub_status',
            '_account_id', '_dlt_load_id',
        ],
        bigint_columns=[
            'sent_count', 'failed_count', 'total_recipients', 'stats__sent', 'stats__delivered',
            'stats__opens__unique', 'stats__clicks__unique',
        ],
        float_columns=['stats__opens__rate', 'stats__clicks__rate'],
        timestamp_columns=['created_at', 'updated_at', 'scheduled_at', 'cancelled_at'],
        quoted=['from'],
    )) }}
{%- endmacro %}

{#- `contact_events`: one row per record of `GET /api/contact/events`. -#}
{% macro benchmark__contact_events_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=[
            'contact_id', 'type', 'email_campaign_id', 'email_campaign_name', 'email_subject',
            'email_sender', 'email_sender_name', 'email_to', 'email_link_id', 'email_target_url',
            'email_bounce_type', 'email_bounce_sub_type', 'email_bounce_diag_code',
            'email_smtp_response', 'email_delay_type', 'email_reject_reason',
            'email_complaint_feedback_type', 'source', '_account_id', '_dlt_load_id',
        ],
        timestamp_columns=['timestamp'],
        quoted=['timestamp'],
    )) }}
{%- endmacro %}

{#- `report_campaign`: one snapshot of `GET /api/reports/email/{id}` per campaign and run. -#}
{% macro benchmark__report_campaign_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=['campaign_id', '_account_id', '_dlt_id', '_dlt_load_id'],
        bigint_columns=[
            'stats__sent', 'stats__delivered', 'stats__opens__unique', 'stats__clicks__unique',
            'stats__total_bounces__count', 'stats__hard_bounces__count',
            'stats__soft_bounces__count', 'stats__complaints', 'stats__unsubscribes',
        ],
        float_columns=[
            'stats__opens__rate', 'stats__clicks__rate', 'stats__total_bounces__rate',
            'stats__hard_bounces__rate', 'stats__soft_bounces__rate',
        ],
        timestamp_columns=['stats__opens__last', 'stats__clicks__last', '_taken_at'],
    )) }}
{%- endmacro %}
