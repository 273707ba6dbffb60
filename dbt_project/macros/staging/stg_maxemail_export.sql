{#-
    The import and rename CTEs (`fields`, `renamed`) of a staging model of one Maxemail Quick Data
    Export method table (CONTRACTS.md 5.2): every method's table carries the same lineage columns
    (account, email id, export key, service, message type, address), its own columns and one
    event timestamp, read with its expected columns (macros/staging/maxemail_columns.sql,
    `maxemail__<table>_columns()`). The model renders these CTEs after its `with` and adds its own
    steps, if any, after them.

    table: the raw table (`sent`, `opened`, ...); raw_event_type: the raw type every row gets (none:
    the model derives it itself); columns: the method's own columns as SQL (`<expression> as
    <name>`); event_timestamp, event_at: the raw timestamp column and its staged name.
-#}
{% macro maxemail_export_ctes(table, raw_event_type, columns, event_timestamp, event_at) -%}
{{ dlt_load_times_cte(source('maxemail', table)) }},

fields as (

    {{ staging_source(
        source('maxemail', table),
        email_analytics.get('maxemail__' ~ table ~ '_columns')(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        cast(email_id as {{ dbt.type_bigint() }}) as email_id,
        nullif(trim(_export_key), '') as export_key,

        -- strings, and the method's own columns
        nullif(trim(_message_type), '') as message_type,
        nullif(trim(_service), '') as service,
        lower(nullif(trim(email_address), '')) as email_address,
        {%- if raw_event_type is not none %}
        '{{ raw_event_type }}' as raw_event_type,
        {%- endif %}
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}

        -- timestamps
        {{ timestamptz_to_utc(event_timestamp) }} as {{ event_at }},
        -- the load's time, from load_times (macros/staging/dlt_load_times.sql)
        load_times.loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields
    left join load_times
        on fields._dlt_load_id = load_times.load_id

)
{%- endmacro %}
