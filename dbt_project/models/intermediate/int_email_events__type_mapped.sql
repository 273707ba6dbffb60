{#-
    Step 2 after the union: each event's canonical event_type, from the seed email_event_type_map
    (provider and raw type). Quarantine (CONTRACTS.md 14): a raw type the seed does not map is
    kept as `unknown`, its raw value in raw_event_type; it counts as no known kind anywhere
    downstream, and assert_no_unmapped_event_types warns with the provider, the value and its
    count.
-#}

with

events as (

    select * from {{ ref('int_email_events__pseudonymized') }}

),

event_type_map as (

    select * from {{ ref('email_event_type_map') }}

),

mapped as (

    select
        events.*,
        coalesce(event_type_map.event_type, 'unknown') as event_type

    from events
    left join event_type_map
        on events.provider = event_type_map.provider
        and events.raw_event_type = event_type_map.raw_event_type

)

select * from mapped
