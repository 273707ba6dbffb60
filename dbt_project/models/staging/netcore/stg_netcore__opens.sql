with

message_fields as (

    {{ staging_source(
        source('netcore', 'events'),
        netcore__events_columns(),
    ) }}

),

open_fields as (

    {{ staging_source(
        source('netcore', 'events__opens'),
        netcore__events__opens_columns(),
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
        nullif(trim(open_fields.ip), '') as ip_address,

        -- numbers
        cast(open_fields._dlt_list_idx as {{ dbt.type_int() }}) as open_index,

        -- timestamps
        {{ timestamptz_to_utc('open_fields.' ~ adapter.quote('time')) }} as opened_at,
        {{ dlt_load_id_to_timestamp('message_fields._dlt_load_id') }} as loaded_at,

        -- metadata
        open_fields._dlt_id as dlt_id,
        message_fields._dlt_load_id as dlt_load_id

    from open_fields
    inner join message_fields
        on open_fields._dlt_parent_id = message_fields._dlt_id

)

select * from joined
