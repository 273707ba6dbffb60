with

{{ dlt_load_times_cte(source('benchmark', 'contact_events')) }},

fields as (

    {{ staging_source(
        source('benchmark', 'contact_events'),
        benchmark__contact_events_columns(),
    ) }}

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
        ) }} as bounce_code

    from renamed

)

select * from code_parsed
