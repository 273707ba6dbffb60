{#-
    Benchmark's contact events, one row per event. Incremental (delete+insert on
    contact_event_key, the event's raw merge key: account, contact, type, time, campaign, link):
    a run reads the raw rows of the loads within `event_lookback_hours` of the newest load already
    in the table (macro lookback_since; a first run or `--full-refresh` reads every load) and
    keeps each event's latest load, which replaces the event's older row. The same rule as a
    window over every row of history, which a daily build paid for in full: as a view, each of
    its data tests and the incremental fact re-ran it over all history (DECISIONLOG.md
    "Benchmark's contact events as an incremental staging table").
-#}

{{
    config(
        materialized='incremental',
        unique_key='contact_event_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

{{ dlt_load_times_cte(source('benchmark', 'contact_events')) }},

fields as (

    select * from (
        {{ staging_source(
            source('benchmark', 'contact_events'),
            benchmark__contact_events_columns(),
        ) }}
    ) as raw_rows
    {%- if is_incremental() %}
    -- the loads inside the lookback: a semi-join on load_times' few rows, whose surviving ids
    -- reach the raw scan as a min/max filter (older row groups are not read)
    where _dlt_load_id in (
        select load_id from load_times
        where loaded_at >= {{ lookback_since() }}
    )
    {%- endif %}

),

deduplicated as (

    -- one row per event: a run killed between its load and the delete of the rows it re-read
    -- leaves an event twice (DECISIONLOG "Append-only raw tables"); the latest load's row stays
    select * from (
        select
            *,
            row_number() over (
                partition by
                    _account_id,
                    contact_id,
                    type,
                    {{ adapter.quote('timestamp') }},
                    email_campaign_id,
                    email_link_id
                order by _dlt_load_id desc
            ) as row_in_event
        from fields
    ) as numbered
    where row_in_event = 1

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        nullif(trim(contact_id), '') as contact_id,
        nullif(trim(email_campaign_id), '') as campaign_id,
        nullif(trim(email_link_id), '') as link_id,

        -- strings
        lower(nullif(trim(type), '')) as raw_event_type,
        lower(nullif(trim(email_to), '')) as email_address,
        nullif(trim(email_campaign_name), '') as campaign_name,
        nullif(trim(email_subject), '') as subject,
        lower(nullif(trim(email_sender), '')) as sender_address,
        nullif(trim(email_sender_name), '') as sender_name,
        nullif(trim(email_target_url), '') as link_url,
        lower(nullif(trim(email_bounce_type), '')) as bounce_type,
        nullif(trim(email_bounce_sub_type), '') as bounce_sub_type,
        nullif(trim(email_bounce_diag_code), '') as bounce_diag_code,
        nullif(trim(email_smtp_response), '') as smtp_response,
        nullif(trim(email_delay_type), '') as delay_type,
        nullif(trim(email_reject_reason), '') as reject_reason,
        nullif(trim(email_complaint_feedback_type), '') as complaint_feedback_type,
        nullif(trim(source), '') as event_source,

        -- timestamps
        {{ timestamptz_to_utc(adapter.quote('timestamp')) }} as occurred_at,
        -- the load's time, from load_times (macros/staging/dlt_load_times.sql)
        load_times.loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from deduplicated
    left join load_times
        on deduplicated._dlt_load_id = load_times.load_id

),

code_parsed as (

    -- `emailBounceDiagCode` is an enhanced status code ('5.1.1'): its digits are the bounce
    -- code (511), null when it has none (CONTRACTS.md 7.3)
    select
        *,
        {{ dbt.safe_cast(
            "nullif(" ~ digits_only('bounce_diag_code') ~ ", '')",
            dbt.type_int(),
        ) }} as bounce_code,
        -- the incremental table's unique key: the event's merge key as staged (the columns of
        -- the unique combination in its column_checks; nulls as '')
        {{ dbt.hash(identity_string([
            'account_id', 'contact_id', 'raw_event_type', 'occurred_at', 'campaign_id', 'link_id',
        ])) }} as contact_event_key

    from renamed

)

select * from code_parsed
