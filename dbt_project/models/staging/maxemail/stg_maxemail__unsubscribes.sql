{#-
    One row per row of the `unsubscribed` export method (macro maxemail_export_ctes), with its
    raw type by unsubscribe type.
-#}

with

{{ maxemail_export_ctes(
    table='unsubscribed',
    raw_event_type=none,
    columns=["lower(nullif(trim(unsubscribe_type), '')) as unsubscribe_type"],
    event_timestamp='unsubscribe_timestamp',
    event_at='unsubscribed_at',
) }},

typed as (

    -- type `feedback` is a spam complaint through an ISP feedback loop, not an opt-out the
    -- recipient asked for: it gets its own raw type, which the event-type map calls `complained`
    select
        *,
        case
            when unsubscribe_type = 'feedback' then 'unsubscribed_feedback'
            else 'unsubscribed'
        end as raw_event_type

    from renamed

)

select * from typed
