with

fields as (

    {{ staging_source(
        source('benchmark', 'contacts'),
        benchmark__contacts_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        nullif(trim(_id), '') as contact_id,
        nullif(trim(contact_structure_id), '') as contact_structure_id,

        -- timestamps
        {{ timestamptz_to_utc('created_at') }} as created_at,
        {{ timestamptz_to_utc('updated_at') }} as updated_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        'benchmark' as provider,
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
