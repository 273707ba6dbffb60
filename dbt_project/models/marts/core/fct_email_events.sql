{#-
    One row per logical email event (event_id), every provider, in the canonical contract.

    Incremental (delete+insert on event_id, the same on DuckDB and PostgreSQL). A run reads only
    rows loaded within `event_lookback_hours` of the provider's newest load already in the table
    (a provider not yet in the table is read in full), applies
    the dedup rule of int_email_events__deduplicated to them, and keeps an event only if its id
    is not in the table yet, or is there with a later receipt (a late-loaded first copy of a
    retried event replaces the retry). delete+insert on event_id keeps it at one row either way.

    Machine flags (issue 16, macros/machine_flags.sql): every open and click gets
    is_machine_open / is_bot_click, machine_reason and classified_loaded_at from the rules over
    its pair's events. An incremental run re-flags every open and click of each pair with a
    sent, delivered, opened or clicked candidate (`flag_pairs`): their stored events join the
    candidates (`pair_events`), and the run emits the candidates plus all those opens and clicks,
    so an event loaded later (a delivery after its open, a second scanner click) sets its pair's
    flags as a full refresh would. The rules' vars and seed are guarded like the seeds.
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

{{ seed_guard(guarded_vars=machine_rule_vars()) }}

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

flag_pairs as (

    select distinct provider, account_id, campaign_id, recipient_key

    from candidates
    where event_type in ('sent', 'delivered', 'opened', 'clicked')

),

pair_events as (

    -- the candidates, and the stored events of their pairs that the rules read (a hash join with
    -- the flag pairs as the build side, as fct_email_deliveries' changed pairs)
    select
        {{ canonical_event_columns() }},
        true as is_candidate

    from candidates

    union all

    select
        {{ canonical_event_columns() }},
        false as is_candidate

    from (
        {{ rows_of_changed_keys(
            "(select * from " ~ this ~ " where event_type in ('sent', 'delivered', 'opened', 'clicked'))",
            'select * from flag_pairs',
            ['campaign_id', 'recipient_key'],
        ) }}
    ) as stored
    where event_id not in (select event_id from candidates)

),

{% else %}

pair_events as (

    select
        *,
        true as is_candidate

    from {{ ref('int_email_events__deduplicated') }}

),

{% endif %}

{{ machine_flag_ctes('pair_events') }},

final as (

    -- the candidates' other events, unflagged
    select
        {{ canonical_event_columns() }},
        {{ machine_flag_columns(false) }}

    from pair_events
    where is_candidate and event_type not in ('opened', 'clicked')

    union all

    -- every open and click the run classified: the candidates' and, on an incremental run,
    -- the stored ones of their pairs (re-flagged, loaded_at unchanged)
    select
        {{ canonical_event_columns() }},
        {{ machine_flag_columns(true) }}

    from machine_classified

)

select * from final
