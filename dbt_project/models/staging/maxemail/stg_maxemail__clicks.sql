{#-
    One row per row of the `clicked` export method (macro maxemail_export_ctes): a recipient's
    latest click of a URL, with the running count of clicks.
-#}

with

{{ maxemail_export_ctes(
    table='clicked',
    raw_event_type='clicked',
    columns=[
        "nullif(trim(url), '') as link_url",
        'cast(click_count as ' ~ dbt.type_bigint() ~ ') as click_count',
    ],
    event_timestamp='click_timestamp',
    event_at='clicked_at',
) }}

select * from renamed
