{#-
    Benchmark's email events in the conformed shape (macro conformed_columns('email_events')): one
    row per contact event of a campaign (CONTRACTS.md 7.3); rows re-read by overlapping pastDays
    windows included (int_email_events__deduplicated collapses them). Contact-level events
    (created, updated, ...) and unsubscribes outside a campaign are not email events.
-#}

with

contact_events as (

    select * from {{ ref('stg_benchmark__contact_events') }}

),

campaign_events as (

    select * from contact_events
    where campaign_id is not null
        and (raw_event_type like 'email-%' or raw_event_type = 'contact-unsubscribed')

),

conformed as (

    select
        'benchmark' as provider,
        account_id,
        'campaign' as message_type,
        campaign_id,
        email_address,
        raw_event_type,
        -- the raw merge key: contact, type, time, campaign, link (type and campaign are in
        -- event_id already), so a record re-read by an overlapping pastDays window keeps its id
        {{ identity_string(['contact_id', 'occurred_at', 'link_id']) }} as event_identity,
        occurred_at,
        occurred_at as received_at,
        link_id,
        link_url,
        bounce_code,
        -- Benchmark classes every bounce itself (emailBounceType, CONTRACTS.md 7.3)
        case
            when raw_event_type <> 'email-bounced' then null
            when bounce_type in ('hard', 'permanent') then 'hard'
            when bounce_type in ('soft', 'transient') then 'soft'
        end as provider_bounce_class,
        case
            when raw_event_type = 'email-bounced'
                then coalesce(
                    smtp_response,
                    nullif(trim({{ dbt.concat([
                        "coalesce(bounce_sub_type, '')", "' '", "coalesce(bounce_diag_code, '')",
                    ]) }}), '')
                )
        end as provider_bounce_reason,
        case when raw_event_type = 'email-complaint' then complaint_feedback_type end
            as complaint_source,
        loaded_at,
        -- not in the contact events
        {{ conformed_nulls('email_events', [
            'split_id', 'variation', 'source_event_id', 'device', 'device_raw', 'country',
            'link_title', 'unsubscribe_topic', 'ip_address', 'provider_machine_flag',
        ]) }}

    from campaign_events

)

select * from conformed
