with

{{ dlt_load_times_cte(source('netcore', 'events')) }},

fields as (

    {{ staging_source(
        source('netcore', 'events'),
        netcore__events_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        -- trid exceeds 2^53: kept as its exact digits, never as a number
        nullif(trim(cast(trid as {{ dbt.type_string() }})), '') as message_id,
        nullif(trim(xapiheader), '') as campaign_id,

        -- strings
        nullif(trim(tags), '') as campaign_name,
        lower(nullif(trim(rcpt_email), '')) as email_address,
        lower(nullif(trim(fromaddress), '')) as sender_address,
        nullif(trim(subject), '') as subject,
        lower(nullif(trim(status), '')) as message_status,
        nullif(trim(remarks), '') as remarks,

        -- numbers
        cast(size as {{ dbt.type_bigint() }}) as message_size,

        -- timestamps
        {{ timestamptz_to_utc('requested_time') }} as requested_at,
        {{ timestamptz_to_utc('delivery_time') }} as delivered_at,
        {{ timestamptz_to_utc('modified_time') }} as modified_at,
        -- the load's time, from load_times (macros/staging/dlt_load_times.sql)
        load_times.loaded_at,

        -- metadata
        _dlt_id as dlt_id,
        _dlt_load_id as dlt_load_id

    from fields
    left join load_times
        on fields._dlt_load_id = load_times.load_id

),

code_parsed as (

    -- `remarks` is the SMTP response ('550 5.1.1 user unknown'): the code is the digits of the
    -- enhanced status code (5.1.1 -> 511), else of a leading basic reply code (550), else null
    -- (CONTRACTS.md 6.3)
    select
        *,
        {{ dbt.safe_cast(
            "nullif(" ~ digits_only(
                "coalesce("
                ~ regexp_substring('remarks', '[245][.][0-9]{1,3}[.][0-9]{1,3}') ~ ", "
                ~ regexp_substring('remarks', '^[245][0-9][0-9]( |$)') ~ ", '')"
            ) ~ ", '')",
            dbt.type_int(),
        ) }} as smtp_status_code

    from renamed

)

select * from code_parsed
