{#-
    One row per event_id: provider retries and rows re-read by overlapping export windows
    collapse to their first receipt (earliest received_at; ties broken deterministically by
    email_event_dedup_order).
-#}

with

events as (

    select * from {{ ref('int_email_events__bounce_decoded') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by {{ email_event_dedup_order() }}
        ) as receipt_rank

    from events

),

deduplicated as (

    select * from ranked
    where receipt_rank = 1

),

final as (

    select
        {{ canonical_event_columns() }}

    from deduplicated

)

select * from final
