{#-
    One row per event_id: provider retries and rows re-read by overlapping export windows
    collapse to their first receipt (earliest received_at; ties broken deterministically by
    email_event_dedup_order).
-#}

with

events as (

    select * from {{ ref('int_email_events__unioned') }}

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
        event_id,
        provider,
        account_id,
        message_type,
        campaign_id,
        split_id,
        variation,
        recipient_key,
        recipient_domain,
        email_address,
        event_type,
        raw_event_type,
        occurred_at,
        received_at,
        device,
        device_raw,
        country,
        link_id,
        link_url,
        link_title,
        bounce_code,
        bounce_class,
        bounce_reason,
        unsubscribe_topic,
        complaint_source,
        source_event_id,
        loaded_at

    from deduplicated

)

select * from final
