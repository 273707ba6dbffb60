with

fields as (

    {{ staging_source(
        source('maxemail', 'bounced'),
        maxemail__bounced_columns(),
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
        'bounced' as raw_event_type,
        lower(nullif(trim(bounce_type), '')) as bounce_type,
        nullif(trim(bounce_reason), '') as bounce_reason,

        -- timestamps
        {{ timestamptz_to_utc('bounce_timestamp') }} as bounced_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

),

code_parsed as (

    -- `bounce reason` is "<code> <text>" ('5.1.1 user unknown', '0000 unrecognized'): the code
    -- is the digits of the first space-separated token ('5.1.1' -> 511, '0000' -> 0), null when
    -- that token has none (PROVIDERS.md 1.5, CONTRACTS.md 5.3)
    select
        *,
        {{ dbt.safe_cast(
            "nullif(" ~ digits_only(dbt.split_part('bounce_reason', "' '", 1)) ~ ", '')",
            dbt.type_int(),
        ) }} as bounce_code

    from renamed

)

select * from code_parsed
