{#-
    The raw columns each Maxemail staging model expects (CONTRACTS.md section 5.2), for
    staging_source (a table or column the loader has not created reads as typed nulls). Every
    export table carries the lineage columns of the loader; timestamps are UTC `timestamp with
    time zone`; counts are bigint.
-#}
{% macro maxemail__export_columns(text_columns=[], bigint_columns=[], timestamp_columns=[]) -%}
    {%- set columns = [] -%}
    {%- do columns.append({'name': 'email_id', 'datatype': dbt.type_bigint()}) -%}
    {%- for name in ['email_address'] + text_columns
        + ['_service', '_message_type', '_account_id', '_export_key', '_dlt_load_id'] -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_string()}) -%}
    {%- endfor -%}
    {%- for name in bigint_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_bigint()}) -%}
    {%- endfor -%}
    {%- for name in timestamp_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_timestamp() ~ ' with time zone'}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro maxemail__sent_columns() -%}
    {{ return(maxemail__export_columns(timestamp_columns=['sent_timestamp'])) }}
{%- endmacro %}

{% macro maxemail__opened_columns() -%}
    {{ return(maxemail__export_columns(
        bigint_columns=['open_count'], timestamp_columns=['open_timestamp'],
    )) }}
{%- endmacro %}

{% macro maxemail__clicked_columns() -%}
    {{ return(maxemail__export_columns(
        text_columns=['url'], bigint_columns=['click_count'], timestamp_columns=['click_timestamp'],
    )) }}
{%- endmacro %}

{% macro maxemail__responded_columns() -%}
    {{ return(maxemail__export_columns(timestamp_columns=['click_timestamp'])) }}
{%- endmacro %}

{% macro maxemail__bounced_columns() -%}
    {{ return(maxemail__export_columns(
        text_columns=['bounce_type', 'bounce_reason'], timestamp_columns=['bounce_timestamp'],
    )) }}
{%- endmacro %}

{% macro maxemail__unsubscribed_columns() -%}
    {{ return(maxemail__export_columns(
        text_columns=['unsubscribe_type'], timestamp_columns=['unsubscribe_timestamp'],
    )) }}
{%- endmacro %}

{#- `email_campaign.find`, one row per email id; fields the model does not read are left out. -#}
{% macro maxemail__campaigns_columns() -%}
    {%- set columns = [{'name': 'email_id', 'datatype': dbt.type_bigint()}] -%}
    {%- for name in [
        'campaign_id', 'name', 'description', 'subject_line', 'from_address', 'from_address_alias',
        'reply_to', 'reply_to_alias', 'status', '_message_type', '_account_id', '_dlt_load_id',
    ] -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_string()}) -%}
    {%- endfor -%}
    {%- for name in [
        'list_total', 'total_sent', 'total_opens', 'total_unique_opens', 'total_clickthrus',
        'total_unique_clickthrus', 'total_responses', 'total_bounces_hard', 'total_bounces_soft',
        'total_unsubscribes_global', 'total_unsubscribes_local', 'total_unsubscribes_feedback',
    ] -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_bigint()}) -%}
    {%- endfor -%}
    {%- for name in ['start_ts', 'finish_ts', 'update_ts', 'scheduled_ts', '_fetched_at'] -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_timestamp() ~ ' with time zone'}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
