{#-
    Every provider's events in the canonical contract (DESIGN.md), one row per raw provider row.
    Each provider gets one CTE with the same columns; `event_identity` holds the provider's own
    fields that tell two events of one recipient, message and type apart.
-#}

{%- set providers = enabled_providers() %}

with

{% if 'apsis_one' in providers -%}
apsis_one_events as (

    select * from {{ ref('stg_apsis_one__email_events') }}

),

{% endif -%}
{% if 'maxemail' in providers -%}
maxemail_sends as (

    select * from {{ ref('stg_maxemail__sends') }}

),

maxemail_opens as (

    select * from {{ ref('stg_maxemail__opens') }}

),

maxemail_clicks as (

    select * from {{ ref('stg_maxemail__clicks') }}

),

maxemail_responses as (

    select * from {{ ref('stg_maxemail__responses') }}

),

maxemail_bounces as (

    select * from {{ ref('stg_maxemail__bounces') }}

),

maxemail_unsubscribes as (

    select * from {{ ref('stg_maxemail__unsubscribes') }}

),

{% endif -%}
event_type_map as (

    select * from {{ ref('email_event_type_map') }}

),

bounce_codes as (

    select * from {{ ref('email_bounce_codes') }}

),

{% if 'apsis_one' in providers -%}
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
        cast(null as {{ dbt.type_string() }}) as provider_bounce_class,
        cast(null as {{ dbt.type_string() }}) as provider_bounce_reason,
        unsubscribe_topic,
        abuse_section as complaint_source,
        loaded_at

    from apsis_one_events

),

{% endif -%}
{% if 'maxemail' in providers -%}
maxemail_rows as (

    -- every export method's rows in one shape; `responded` (the recipient's first click) is a
    -- click without a link
    select
        account_id,
        message_type,
        email_id,
        email_address,
        raw_event_type,
        sent_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as link_url,
        cast(null as {{ dbt.type_int() }}) as bounce_code,
        cast(null as {{ dbt.type_string() }}) as bounce_type,
        cast(null as {{ dbt.type_string() }}) as bounce_reason,
        cast(null as {{ dbt.type_string() }}) as unsubscribe_type,
        loaded_at
    from maxemail_sends

    union all

    select
        account_id,
        message_type,
        email_id,
        email_address,
        raw_event_type,
        opened_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as link_url,
        cast(null as {{ dbt.type_int() }}) as bounce_code,
        cast(null as {{ dbt.type_string() }}) as bounce_type,
        cast(null as {{ dbt.type_string() }}) as bounce_reason,
        cast(null as {{ dbt.type_string() }}) as unsubscribe_type,
        loaded_at
    from maxemail_opens

    union all

    select
        account_id,
        message_type,
        email_id,
        email_address,
        raw_event_type,
        clicked_at as occurred_at,
        link_url,
        cast(null as {{ dbt.type_int() }}) as bounce_code,
        cast(null as {{ dbt.type_string() }}) as bounce_type,
        cast(null as {{ dbt.type_string() }}) as bounce_reason,
        cast(null as {{ dbt.type_string() }}) as unsubscribe_type,
        loaded_at
    from maxemail_clicks

    union all

    select
        account_id,
        message_type,
        email_id,
        email_address,
        raw_event_type,
        first_clicked_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as link_url,
        cast(null as {{ dbt.type_int() }}) as bounce_code,
        cast(null as {{ dbt.type_string() }}) as bounce_type,
        cast(null as {{ dbt.type_string() }}) as bounce_reason,
        cast(null as {{ dbt.type_string() }}) as unsubscribe_type,
        loaded_at
    from maxemail_responses

    union all

    select
        account_id,
        message_type,
        email_id,
        email_address,
        raw_event_type,
        bounced_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as link_url,
        bounce_code,
        bounce_type,
        bounce_reason,
        cast(null as {{ dbt.type_string() }}) as unsubscribe_type,
        loaded_at
    from maxemail_bounces

    union all

    select
        account_id,
        message_type,
        email_id,
        email_address,
        raw_event_type,
        unsubscribed_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as link_url,
        cast(null as {{ dbt.type_int() }}) as bounce_code,
        cast(null as {{ dbt.type_string() }}) as bounce_type,
        cast(null as {{ dbt.type_string() }}) as bounce_reason,
        unsubscribe_type,
        loaded_at
    from maxemail_unsubscribes

),

maxemail as (

    select
        'maxemail' as provider,
        account_id,
        message_type,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as split_id,
        cast(null as {{ dbt.type_string() }}) as variation,
        email_address,
        raw_event_type,
        -- no provider event id and no receipt time: a row is identified by the raw merge key
        -- (message type, timestamp, url), so a row re-read by an overlapping export window keeps
        -- its event_id, while an open or click row re-exported with a later (latest-open)
        -- timestamp is a new event
        {{ identity_string(['message_type', 'occurred_at', 'link_url']) }} as event_identity,
        cast(null as {{ dbt.type_string() }}) as source_event_id,
        occurred_at,
        occurred_at as received_at,
        cast(null as {{ dbt.type_string() }}) as device,
        cast(null as {{ dbt.type_string() }}) as device_raw,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as link_id,
        link_url,
        cast(null as {{ dbt.type_string() }}) as link_title,
        bounce_code,
        -- the class of a bounce whose code the seed does not know (CONTRACTS.md 5.3)
        case
            when raw_event_type <> 'bounced' then null
            when bounce_type = 'permanent' then 'hard'
            else 'soft'
        end as provider_bounce_class,
        bounce_reason as provider_bounce_reason,
        unsubscribe_type as unsubscribe_topic,
        cast(null as {{ dbt.type_string() }}) as complaint_source,
        loaded_at

    from maxemail_rows

),

{% endif -%}
-- netcore and benchmark CTEs slot in here, with the same columns in the same order

unioned as (

    {% for provider in providers -%}
    select * from {{ provider }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

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
        matched.description as matched_bounce_description

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
        -- a code the seed does not know (or no code) takes the class the provider gives, if any
        -- (Maxemail bounce type), else `unknown`
        case
            when event_type = 'bounced'
                then coalesce(matched_bounce_class, provider_bounce_class, 'unknown')
        end as bounce_class,
        -- the provider's own text of this bounce when it sends one, else the seed's description
        coalesce(provider_bounce_reason, matched_bounce_description) as bounce_reason,
        unsubscribe_topic,
        complaint_source,
        source_event_id,
        loaded_at

    from bounce_decoded

)

select * from final
