with

fields as (

    {{ staging_source(
        source('apsis_one', 'activities'),
        apsis_one__activities_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        nullif(trim(id), '') as campaign_id,
        nullif(trim(section_discriminator), '') as section_discriminator,

        -- strings
        nullif(trim(name), '') as campaign_name,
        nullif(trim(type), '') as activity_type,
        nullif(trim(status), '') as activity_status,
        nullif(trim(subject), '') as subject,
        nullif(trim(sender), '') as sender_name,

        -- timestamps
        {{ rfc3339_to_timestamp("nullif(trim(sent_at), '')") }} as sent_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_id as dlt_id,
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
