with

message_fields as (

    {{ staging_source(
        source('netcore', 'events'),
        netcore__events_columns(),
    ) }}

),

click_fields as (

    {{ staging_source(
        source('netcore', 'events__clicks'),
        netcore__events__clicks_columns(),
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
        nullif(trim(click_fields.ip), '') as ip_address,
        nullif(trim(click_fields.link), '') as link_url,

        -- numbers
        cast(click_fields._dlt_list_idx as {{ dbt.type_int() }}) as click_index,

        -- timestamps
        {{ timestamptz_to_utc('click_fields.' ~ adapter.quote('time')) }} as clicked_at,
        {{ dlt_load_id_to_timestamp('message_fields._dlt_load_id') }} as loaded_at,

        -- metadata
        click_fields._dlt_id as dlt_id,
        message_fields._dlt_load_id as dlt_load_id

    from click_fields
    inner join message_fields
        on click_fields._dlt_parent_id = message_fields._dlt_id

)

select * from joined
