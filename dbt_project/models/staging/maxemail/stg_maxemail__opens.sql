{#-
    One row per row of the `opened` export method (macro maxemail_export_ctes): a recipient's
    latest open of a message, with the running count of opens.
-#}

with

{{ maxemail_export_ctes(
    table='opened',
    raw_event_type='opened',
    columns=['cast(open_count as ' ~ dbt.type_bigint() ~ ') as open_count'],
    event_timestamp='open_timestamp',
    event_at='opened_at',
) }}

select * from renamed
