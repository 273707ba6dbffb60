{#-
    The staging select of a list nested in a Netcore message row (a dlt child table of `events`:
    `events__opens`, `events__clicks`; CONTRACTS.md 6.2), one row per entry with its message:
    every such list is a list of timed entries from an IP, so stg_netcore__opens and
    stg_netcore__clicks are this one query.

    table: the raw child table; index_column, event_at: the staged names of the entry's position
    and time; columns: the entry's own columns as SQL over `entry_fields` (`<expression> as
    <name>`).
-#}
{% macro stg_netcore_message_children(table, index_column, event_at, columns=[]) %}
with

message_fields as (

    {{ staging_source(
        source('netcore', 'events'),
        netcore__events_columns(),
    ) }}

),

entry_fields as (

    {{ staging_source(
        source('netcore', table),
        email_analytics.get('netcore__' ~ table ~ '_columns')(),
    ) }}

),

joined as (

    -- dlt child table: the parent message is found through _dlt_parent_id = _dlt_id; dlt
    -- replaces a message's children whenever the message row is merged again
    select
        -- ids
        nullif(trim(message_fields._account_id), '') as account_id,
        nullif(trim(cast(message_fields.trid as {{ dbt.type_string() }})), '') as message_id,

        -- strings
        nullif(trim(entry_fields.ip), '') as ip_address,
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}

        -- numbers
        cast(entry_fields._dlt_list_idx as {{ dbt.type_int() }}) as {{ index_column }},

        -- timestamps
        {{ timestamptz_to_utc('entry_fields.' ~ adapter.quote('time')) }} as {{ event_at }},
        {{ dlt_load_id_to_timestamp('message_fields._dlt_load_id') }} as loaded_at,

        -- metadata
        entry_fields._dlt_id as dlt_id,
        message_fields._dlt_load_id as dlt_load_id

    from entry_fields
    inner join message_fields
        on entry_fields._dlt_parent_id = message_fields._dlt_id

)

select * from joined
{% endmacro %}
