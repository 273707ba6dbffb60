{#-
    The staging select of a list nested in a Netcore message row (a dlt child table of `events`:
    `events__opens`, `events__clicks`; CONTRACTS.md 6.2), one row per entry with its message:
    every such list is a list of timed entries from an IP, so stg_netcore__opens and
    stg_netcore__clicks are this one query. An entry carries its message's campaign and address
    (as stg_netcore__messages stages them), so int_netcore__email_events needs no join with the
    messages: across that join an incremental run's loaded_at filter reached one side only, and
    every entry of history was read (DECISIONLOG "Netcore's daily input: the recent messages
    only"). Its loaded_at is its message's, from the per-load CTE (dlt_load_times.sql).

    table: the raw child table; index_column, event_at: the staged names of the entry's position
    and time; columns: the entry's own columns as SQL over `entry_fields` (`<expression> as
    <name>`).
-#}
{% macro stg_netcore_message_children(table, index_column, event_at, columns=[]) %}
with

{{ dlt_load_times_cte(source('netcore', 'events')) }},

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
        nullif(trim(message_fields.xapiheader), '') as campaign_id,

        -- strings
        lower(nullif(trim(message_fields.rcpt_email), '')) as email_address,
        nullif(trim(entry_fields.ip), '') as ip_address,
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}

        -- numbers
        cast(entry_fields._dlt_list_idx as {{ dbt.type_int() }}) as {{ index_column }},

        -- timestamps
        {{ timestamptz_to_utc('entry_fields.' ~ adapter.quote('time')) }} as {{ event_at }},
        -- the message's load time, from load_times (macros/staging/dlt_load_times.sql)
        load_times.loaded_at,

        -- metadata
        entry_fields._dlt_id as dlt_id,
        message_fields._dlt_load_id as dlt_load_id

    from entry_fields
    inner join message_fields
        on entry_fields._dlt_parent_id = message_fields._dlt_id
    left join load_times
        on message_fields._dlt_load_id = load_times.load_id

)

select * from joined
{% endmacro %}
