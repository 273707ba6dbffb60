with

fields as (

    {{ staging_source(
        source('maxemail', 'responded'),
        maxemail__responded_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        cast(email_id as {{ dbt.type_bigint() }}) as email_id,
        nullif(trim(_export_key), '') as export_key,

        -- strings
        nullif(trim(_message_type), '') as message_type,
        nullif(trim(_service), '') as service,
        lower(nullif(trim(email_address), '')) as email_address,
        'responded' as raw_event_type,

        -- timestamps
        {{ timestamptz_to_utc('click_timestamp') }} as first_clicked_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
