{#-
    The raw columns each Netcore staging model expects (CONTRACTS.md section 6.2), for
    staging_source (a table or column the loader has not created reads as typed nulls). Times
    are UTC `timestamp with time zone` (the loader converts the account-local times; "" becomes
    null).
-#}
{#- Names that are SQL keywords (`time`, `date`) are selected quoted. -#}
{% macro netcore__typed_columns(text_columns=[], bigint_columns=[], timestamp_columns=[]) -%}
    {%- set keywords = ['time', 'date'] -%}
    {%- set columns = [] -%}
    {%- for name in text_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_string(), 'quote': name in keywords}) -%}
    {%- endfor -%}
    {%- for name in bigint_columns -%}
        {%- do columns.append({'name': name, 'datatype': dbt.type_bigint()}) -%}
    {%- endfor -%}
    {%- for name in timestamp_columns -%}
        {%- do columns.append({
            'name': name,
            'datatype': dbt.type_timestamp() ~ ' with time zone',
            'quote': name in keywords,
        }) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- `events`: one row per message (trid) in its latest status. -#}
{% macro netcore__events_columns() -%}
    {{ return(netcore__typed_columns(
        text_columns=[
            'trid', 'rcpt_email', 'fromaddress', 'status', 'remarks', 'subject', 'xapiheader',
            'tags', '_account_id', '_dlt_id', '_dlt_load_id',
        ],
        bigint_columns=['size'],
        timestamp_columns=['requested_time', 'delivery_time', 'modified_time'],
    )) }}
{%- endmacro %}

{#- `events__opens`: dlt child rows of `events`, one per entry of the message's `opens`. -#}
{% macro netcore__events__opens_columns() -%}
    {{ return(netcore__typed_columns(
        text_columns=['ip', '_dlt_parent_id', '_dlt_id'],
        bigint_columns=['_dlt_list_idx'],
        timestamp_columns=['time'],
    )) }}
{%- endmacro %}

{#- `events__clicks`: dlt child rows of `events`, one per entry of the message's `clicks`. -#}
{% macro netcore__events__clicks_columns() -%}
    {{ return(netcore__typed_columns(
        text_columns=['ip', 'link', '_dlt_parent_id', '_dlt_id'],
        bigint_columns=['_dlt_list_idx'],
        timestamp_columns=['time'],
    )) }}
{%- endmacro %}

{#- `stats`: one row per account-local day (aggregated_by day) with the metric columns. -#}
{% macro netcore__stats_metrics() -%}
    {{ return([
        'requested', 'processed', 'sent', 'delivered', 'dropped', 'invalid', 'hardbounce',
        'softbounce', 'bounce', 'opened', 'unique_opened', 'clicked', 'unique_clicked',
        'unsubscribed', 'spam',
    ]) }}
{%- endmacro %}

{% macro netcore__stats_columns() -%}
    {{ return(netcore__typed_columns(
        text_columns=['date', '_account_id', '_dlt_load_id'],
        bigint_columns=netcore__stats_metrics(),
        timestamp_columns=['_taken_at'],
    )) }}
{%- endmacro %}
