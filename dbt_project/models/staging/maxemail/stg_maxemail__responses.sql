{#-
    One row per row of the `responded` export method (macro maxemail_export_ctes): a recipient's
    first click of a message, whatever the link.
-#}

with

{{ maxemail_export_ctes(
    table='responded',
    raw_event_type='responded',
    columns=[],
    event_timestamp='click_timestamp',
    event_at='first_clicked_at',
) }}

select * from renamed
