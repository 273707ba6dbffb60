{#-
    The raw columns each APSIS One staging model expects (CONTRACTS.md section 3), for
    staging_source (a table or column the loader has not created reads as typed nulls).
    Attribute and tag columns (`<attr>_version_id_<id>`) are deliberately absent: they vary per
    export request and no model depends on them.
-#}
{% macro apsis_one__email_events_columns() -%}
    {%- set text_columns = [
        'activity_id', 'split_id', 'activity_name', 'split_activity_name', 'sender', 'subject',
        'address', 'variation', 'type', 'correlation_id', 'device', 'location', 'link_id',
        'link_url', 'link_title', 'bounce_code', 'unsubscribe_topic', 'abuse_section',
        '_account_id', '_export_report_id', '_dlt_load_id',
    ] -%}
    {%- set columns = [] -%}
    {%- for name in text_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_string()}) -%}
    {%- endfor -%}
    {%- do columns.append({'name': 'event_time', 'datatype': dbt.type_bigint()}) -%}
    {%- do columns.append({'name': 'server_time', 'datatype': dbt.type_bigint()}) -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro apsis_one__activities_columns() -%}
    {%- set columns = [] -%}
    {%- for name in [
        'id', 'section_discriminator', 'name', 'type', 'status', 'sent_at', 'subject', 'sender',
        '_account_id', '_dlt_id', '_dlt_load_id',
    ] -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_string()}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro apsis_one__activities__splits_columns() -%}
    {%- set columns = [] -%}
    {%- for name in ['id', 'name', '_dlt_parent_id', '_dlt_id'] -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_string()}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
