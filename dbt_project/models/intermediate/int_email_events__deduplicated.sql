{#-
    One row per event_id: provider retries and rows re-read by overlapping export windows
    collapse to their first receipt (earliest received_at; ties broken deterministically by
    email_event_dedup_order). The window runs only over the ids with copies
    (macro first_receipt_ctes).
-#}

with

events as (

    select * from {{ ref('int_email_events__bounce_decoded') }}

),

{{ first_receipt_ctes('events') }},

final as (

    select
        {{ canonical_event_columns() }}

    from first_receipts

)

select * from final
