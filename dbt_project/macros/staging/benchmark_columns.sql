{#-
    The raw columns each Benchmark Email staging model expects (CONTRACTS.md section 7.2), for
    staging_source (a table or column the loader has not created reads as typed nulls). dlt
    names the API's camelCase fields in snake_case and flattens nested objects into
    `<parent>__<child>` columns; ISO 8601 times arrive as `timestamp with time zone`.
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

{#- `contacts`: one row per contact of `POST /api/contact/search` (CONTRACTS.md 10.1). -#}
{% macro benchmark__contacts_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=['_id', 'contact_structure_id', 'key', '_account_id', '_dlt_load_id'],
        timestamp_columns=['created_at', 'updated_at'],
        quoted=['key'],
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

{#- `report_campaign__link_activity`: one row per link of a campaign report snapshot. -#}
{% macro benchmark__report_campaign__link_activity_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=['id', 'path', '_dlt_parent_id', '_dlt_id'],
        bigint_columns=['clicks__total', 'clicks__unique', '_dlt_list_idx'],
    )) }}
{%- endmacro %}

{#- The parameters and lineage every report snapshot row carries. -#}
{% macro benchmark__snapshot_text_columns() -%}
    {{ return(['timezone', '_account_id', '_dlt_id', '_dlt_load_id']) }}
{%- endmacro %}

{#- `report_dashboard`: one snapshot of `GET /api/reports/dashboard` per run and pastDays. -#}
{% macro benchmark__report_dashboard_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=benchmark__snapshot_text_columns(),
        bigint_columns=[
            'past_days', 'campaign__sent__count', 'campaign__delivered__count',
            'campaign__unique_opens__count__value', 'campaign__unique_clicks__count__value',
            'contact__count__value', 'contact__histogram__peak__total',
        ],
        float_columns=[
            'campaign__sent__diff', 'campaign__delivered__diff',
            'campaign__unique_opens__count__diff', 'campaign__unique_opens__rate__value',
            'campaign__unique_opens__rate__diff', 'campaign__unique_clicks__count__diff',
            'campaign__unique_clicks__rate__value', 'campaign__unique_clicks__rate__diff',
            'contact__count__diff',
        ],
        timestamp_columns=[
            'contact__histogram__start', 'contact__histogram__end',
            'contact__histogram__peak__date', '_taken_at',
        ],
    )) }}
{%- endmacro %}

{#- The histogram buckets of a snapshot (dlt child tables `...__histogram`). -#}
{% macro benchmark__histogram_bucket_columns(detail_columns=[]) -%}
    {{ return(benchmark__typed_columns(
        text_columns=['_dlt_parent_id', '_dlt_id'],
        bigint_columns=['total', '_dlt_list_idx'] + detail_columns,
        timestamp_columns=['date'],
        quoted=['date'],
    )) }}
{%- endmacro %}

{#- `report_overall`: one snapshot of `GET /api/reports/email/overall` per run and pastDays. -#}
{% macro benchmark__overall_metrics() -%}
    {#- (stats key, has a rate) -#}
    {{ return([
        ('sent', false), ('delivered', false), ('unique_opens', true), ('unique_clicks', true),
        ('total_bounces', true), ('hard_bounces', true), ('soft_bounces', true),
        ('complaints', false), ('unsubscribes', false),
    ]) }}
{%- endmacro %}

{% macro benchmark__report_overall_columns() -%}
    {%- set bigints = ['past_days'] -%}
    {%- set floats = [
        'delivery_time_stats__morning', 'delivery_time_stats__afternoon',
        'delivery_time_stats__evening', 'delivery_time_stats__night',
    ] -%}
    {%- for metric, has_rate in benchmark__overall_metrics() -%}
        {%- do bigints.extend(['stats__' ~ metric ~ '__count__value', 'stats__' ~ metric ~ '__count__prev']) -%}
        {%- do floats.append('stats__' ~ metric ~ '__count__diff') -%}
        {%- if has_rate -%}
            {%- for part in ['value', 'prev', 'diff'] -%}
                {%- do floats.append('stats__' ~ metric ~ '__rate__' ~ part) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(benchmark__typed_columns(
        text_columns=benchmark__snapshot_text_columns(),
        bigint_columns=bigints,
        float_columns=floats,
        timestamp_columns=['_taken_at'],
    )) }}
{%- endmacro %}

{#- `report_overall__campaign_comparison`: one row per campaign compared in an overall snapshot. -#}
{% macro benchmark__report_overall__campaign_comparison_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=['_id', 'name', '_dlt_parent_id', '_dlt_id'],
        bigint_columns=['_dlt_list_idx'],
        float_columns=['rates__opens', 'rates__clicks'],
        timestamp_columns=['scheduled_at'],
    )) }}
{%- endmacro %}

{#- `report_histogram`: one snapshot of `/api/reports/email/overall/histogram` per run, pastDays and eventType. -#}
{% macro benchmark__report_histogram_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=['event_type'] + benchmark__snapshot_text_columns(),
        bigint_columns=['past_days', 'peak__total'],
        timestamp_columns=['start', 'end', 'peak__start_date', 'peak__end_date', '_taken_at'],
        quoted=['start', 'end'],
    )) }}
{%- endmacro %}

{#- `report_engagement`: one snapshot of `/api/reports/email/{id}/engagement` per run, campaign and period. -#}
{% macro benchmark__report_engagement_columns() -%}
    {{ return(benchmark__typed_columns(
        text_columns=['campaign_id', 'period'] + benchmark__snapshot_text_columns(),
        bigint_columns=['peak__total'],
        timestamp_columns=['start', 'end', 'peak__start_date', 'peak__end_date', '_taken_at'],
        quoted=['start', 'end'],
    )) }}
{%- endmacro %}
