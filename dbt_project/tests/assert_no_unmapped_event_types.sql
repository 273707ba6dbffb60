{#-
    Warns (the build goes on) with one row per provider and raw event type that
    seeds/email_event_type_map.csv does not map. Such events are not lost and do not stop the
    other providers' marts: they are quarantined in fct_email_events as event_type 'unknown',
    their value in raw_event_type, and count as no known kind in any mart (CONTRACTS.md 14).
    Each row has the provider, the raw type, its event count, the first and last day and a
    `message`; the build prints that message as a warning, and keeps the rows in
    dbt_test__audit.assert_no_unmapped_event_types (store_failures). Fix: add the type to the
    seed (and, for a new kind, to the accepted event_type values), then
    `dbt build --full-refresh`, which re-classes the quarantined events.
-#}

{{ config(severity='warn', store_failures=true) }}

{{ warn_unmapped_event_types(ref('fct_email_events')) }}

with

unmapped as (

    {{ unmapped_event_types(ref('fct_email_events')) }}

)

select * from unmapped
