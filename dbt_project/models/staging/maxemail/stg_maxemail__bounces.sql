{#-
    One row per row of the `bounced` export method (macro maxemail_export_ctes), with the code
    parsed from the bounce reason.
-#}

with

{{ maxemail_export_ctes(
    table='bounced',
    raw_event_type='bounced',
    columns=[
        "lower(nullif(trim(bounce_type), '')) as bounce_type",
        "nullif(trim(bounce_reason), '') as bounce_reason",
    ],
    event_timestamp='bounce_timestamp',
    event_at='bounced_at',
) }},

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
