{#-
    Fails (one row per provider and raw type) when a provider sends an event type that
    seeds/email_event_type_map.csv does not map: such rows would silently drop out of every mart.
    Fix by adding the type to the seed (and to the accepted event_type values if it is new).
-#}

select
    provider,
    raw_event_type,
    count(*) as row_count

from {{ ref('int_email_events__unioned') }}
where event_type is null
group by
    provider,
    raw_event_type
