{#-
    One row per logical email event (event_id), every provider, in the canonical contract.

    Incremental (delete+insert on event_id, the same on DuckDB and PostgreSQL). A run reads only
    rows loaded within `event_lookback_hours` of the provider's newest load already in the table
    (a provider not yet in the table is read in full), applies
    the dedup rule of int_email_events__deduplicated to them, and keeps an event only if its id
    is not in the table yet, or is there with a later receipt (a late-loaded first copy of a
    retried event replaces the retry). delete+insert on event_id keeps it at one row either way.
-#}

-- depends_on: {{ ref('int_email_events__bounce_decoded') }}

{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

{{ seed_guard() }}

with

{% if is_incremental() %}

current_events as (

    select
        event_id,
        provider,
        received_at,
        loaded_at

    from {{ this }}

),

recent_events as (

    {{ loaded_within_lookback(ref('int_email_events__bounce_decoded')) }}

),

{{ first_receipt_ctes('recent_events') }},

candidates as (

    select first_receipts.*

    from first_receipts
    left join current_events
        on first_receipts.event_id = current_events.event_id
    where (
            current_events.event_id is null
            or first_receipts.received_at < current_events.received_at
            or {{ loaded_since_condition('current_events') }}
        )

),

{% else %}

candidates as (

    select * from {{ ref('int_email_events__deduplicated') }}

),

{% endif %}

final as (

    select
        {{ canonical_event_columns() }}

    from candidates

)

select * from final
