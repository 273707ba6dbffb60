{#-
    Every provider's events in the canonical contract (DESIGN.md), one row per raw provider row.
    Each provider gets one CTE with the same columns; `event_identity` holds the provider's own
    fields that tell two events of one recipient, message and type apart.
-#}

with

apsis_one_events as (

    select * from {{ ref('stg_apsis_one__email_events') }}

),

event_type_map as (

    select * from {{ ref('email_event_type_map') }}

),

bounce_codes as (

    select * from {{ ref('email_bounce_codes') }}

),

apsis_one as (

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
        loaded_at

    from apsis_one_events

),

-- maxemail, netcore and benchmark CTEs slot in here, with the same columns in the same order

unioned as (

    select * from apsis_one

),

pseudonymized as (

    select
        *,
        {{ recipient_key('email_address') }} as recipient_key,
        nullif({{ dbt.split_part('email_address', "'@'", 2) }}, '') as recipient_domain

    from unioned

),

mapped as (

    select
        pseudonymized.*,
        event_type_map.event_type

    from pseudonymized
    left join event_type_map
        on pseudonymized.provider = event_type_map.provider
        and pseudonymized.raw_event_type = event_type_map.raw_event_type

),

bounce_decoded as (

    -- the narrowest matching range wins (a specific code beats its block); equal widths fall to
    -- the lower code_from. Rows whose match has a narrower competitor are dropped, which leaves
    -- exactly one row per event without needing an event-level key.
    select
        mapped.*,
        matched.bounce_class as matched_bounce_class,
        matched.description as bounce_reason

    from mapped
    left join bounce_codes as matched
        on mapped.provider = matched.provider
        and mapped.bounce_code between matched.code_from and matched.code_to
    left join bounce_codes as narrower
        on matched.provider = narrower.provider
        and mapped.bounce_code between narrower.code_from and narrower.code_to
        and (
            narrower.code_to - narrower.code_from < matched.code_to - matched.code_from
            or (
                narrower.code_to - narrower.code_from = matched.code_to - matched.code_from
                and narrower.code_from < matched.code_from
            )
        )
    where narrower.provider is null

),

final as (

    select
        {{ email_event_id([
            'provider', 'account_id', 'campaign_id', 'split_id', 'recipient_key',
            'raw_event_type', 'event_identity',
        ]) }} as event_id,
        provider,
        account_id,
        message_type,
        campaign_id,
        split_id,
        variation,
        recipient_key,
        recipient_domain,
        {% if expose_email_address() -%}
        email_address,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as email_address,
        {%- endif %}
        event_type,
        raw_event_type,
        occurred_at,
        received_at,
        device,
        device_raw,
        country,
        link_id,
        link_url,
        link_title,
        bounce_code,
        case
            when event_type = 'bounced' then coalesce(matched_bounce_class, 'unknown')
        end as bounce_class,
        bounce_reason,
        unsubscribe_topic,
        complaint_source,
        source_event_id,
        loaded_at

    from bounce_decoded

)

select * from final
