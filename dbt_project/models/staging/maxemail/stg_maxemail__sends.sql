{#- One row per row of the `sent` export method (macro maxemail_export_ctes). -#}

with

{{ maxemail_export_ctes(
    table='sent',
    raw_event_type='sent',
    columns=[],
    event_timestamp='sent_timestamp',
    event_at='sent_at',
) }}

select * from renamed
