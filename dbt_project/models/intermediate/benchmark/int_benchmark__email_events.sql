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
        cast(null as {{ dbt.type_string() }}) as split_id,
        cast(null as {{ dbt.type_string() }}) as variation,
        email_address,
        raw_event_type,
        -- the raw merge key: contact, type, time, campaign, link (type and campaign are in
        -- event_id already), so a record re-read by an overlapping pastDays window keeps its id
        {{ identity_string(['contact_id', 'occurred_at', 'link_id']) }} as event_identity,
        cast(null as {{ dbt.type_string() }}) as source_event_id,
        occurred_at,
        occurred_at as received_at,
        cast(null as {{ dbt.type_string() }}) as device,
        cast(null as {{ dbt.type_string() }}) as device_raw,
        cast(null as {{ dbt.type_string() }}) as country,
        link_id,
        link_url,
        cast(null as {{ dbt.type_string() }}) as link_title,
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
        cast(null as {{ dbt.type_string() }}) as unsubscribe_topic,
        case when raw_event_type = 'email-complaint' then complaint_feedback_type end
            as complaint_source,
        loaded_at

    from campaign_events

)

select * from conformed
