{#-
    APSIS One's email events in the conformed shape (macro conformed_columns('email_events')):
    one row per row of the export, provider retries included (int_email_events__deduplicated
    collapses them). Every APSIS One event belongs to a campaign (an activity).
-#}

with

events as (

    select * from {{ ref('stg_apsis_one__email_events') }}

),

conformed as (

    select
        'apsis_one' as provider,
        account_id,
        'campaign' as message_type,
        campaign_id,
        split_id,
        variation,
        email_address,
        raw_event_type,
        -- a retry repeats correlation_id and event_time and differs only in server_time, so
        -- server_time stays out of the identity; repeat opens differ in correlation_id
        {{ identity_string(['correlation_id', 'event_time_ms', 'link_id']) }} as event_identity,
        correlation_id as source_event_id,
        occurred_at,
        received_at,
        device,
        device_raw,
        country,
        link_id,
        link_url,
        link_title,
        bounce_code,
        unsubscribe_topic,
        abuse_section as complaint_source,
        loaded_at,
        -- APSIS One gives a bounce code only: the seed decodes it (bounce_class_rule code_first)
        {{ conformed_nulls('email_events', [
            'provider_bounce_class', 'provider_bounce_reason', 'ip_address', 'provider_machine_flag',
        ]) }}

    from events

)

select * from conformed
