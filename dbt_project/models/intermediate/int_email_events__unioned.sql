{#-
    Every provider's events in the canonical contract (DESIGN.md), one row per raw provider event
    (Netcore: one row per event a message row implies, CONTRACTS.md 6.3). Each provider gets one
    CTE with the same columns; `event_identity` holds the provider's own fields that tell two
    events of one recipient, message and type apart.
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
{% if 'netcore' in providers -%}
netcore_messages as (

    select * from {{ ref('stg_netcore__messages') }}

),

netcore_opens as (

    select * from {{ ref('stg_netcore__opens') }}

),

netcore_clicks as (

    select * from {{ ref('stg_netcore__clicks') }}

),

{% endif -%}
{% if 'benchmark' in providers -%}
benchmark_contact_events as (

    select * from {{ ref('stg_benchmark__contact_events') }}

),

{% endif -%}
event_type_map as (

    select * from {{ ref('email_event_type_map') }}

),

bounce_codes as (

    select * from {{ ref('email_bounce_codes') }}

),

providers as (

    select * from {{ ref('email_providers') }}

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
{% if 'netcore' in providers -%}
netcore_rows as (

    -- a message row (latest status) expands into its events (CONTRACTS.md 6.3); the raw type
    -- is Netcore's own event name. Relayed: every status but processed, dropped and invalid.
    select
        message_id,
        'sent' as raw_event_type,
        requested_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url
    from netcore_messages
    where message_status not in ('processed', 'dropped', 'invalid')

    union all

    select
        message_id,
        'delivered' as raw_event_type,
        delivered_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url
    from netcore_messages
    where delivered_at is not null

    union all

    -- one open per entry of the message's `opens`
    select
        message_id,
        'open' as raw_event_type,
        opened_at as occurred_at,
        ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url
    from netcore_opens

    union all

    -- one click per entry of the message's `clicks`
    select
        message_id,
        'click' as raw_event_type,
        clicked_at as occurred_at,
        ip_address,
        link_url
    from netcore_clicks

    union all

    -- the status itself is an event, at modified_time, unless it is a step every relayed
    -- message passes (sent, delivered, open, click are covered above); a status Netcore adds
    -- later is an event of its own too, quarantined as `unknown` (CONTRACTS.md 14), not lost
    select
        message_id,
        message_status as raw_event_type,
        modified_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url
    from netcore_messages
    where message_status not in ('processed', 'sent', 'delivered', 'open', 'click')

),

netcore as (

    select
        'netcore' as provider,
        netcore_messages.account_id,
        'campaign' as message_type,
        netcore_messages.campaign_id,
        cast(null as {{ dbt.type_string() }}) as split_id,
        cast(null as {{ dbt.type_string() }}) as variation,
        netcore_messages.email_address,
        netcore_rows.raw_event_type,
        -- trid (with the raw type, in event_id) identifies a message's one event of each kind;
        -- opens and clicks add their time, IP and link, so a re-read message keeps its ids and
        -- two opens stay two
        {{ identity_string([
            'netcore_rows.message_id', 'netcore_rows.occurred_at', 'netcore_rows.ip_address',
            'netcore_rows.link_url',
        ]) }} as event_identity,
        netcore_rows.message_id as source_event_id,
        netcore_rows.occurred_at,
        netcore_rows.occurred_at as received_at,
        cast(null as {{ dbt.type_string() }}) as device,
        cast(null as {{ dbt.type_string() }}) as device_raw,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as link_id,
        netcore_rows.link_url,
        cast(null as {{ dbt.type_string() }}) as link_title,
        case
            when netcore_rows.raw_event_type in ('hardbounce', 'softbounce', 'bounce')
                then netcore_messages.smtp_status_code
        end as bounce_code,
        -- Netcore classes every bounce itself, in its status (CONTRACTS.md 6.3)
        case netcore_rows.raw_event_type
            when 'hardbounce' then 'hard'
            when 'softbounce' then 'soft'
        end as provider_bounce_class,
        case
            when netcore_rows.raw_event_type in ('hardbounce', 'softbounce', 'bounce')
                then netcore_messages.remarks
        end as provider_bounce_reason,
        cast(null as {{ dbt.type_string() }}) as unsubscribe_topic,
        cast(null as {{ dbt.type_string() }}) as complaint_source,
        netcore_messages.loaded_at

    from netcore_rows
    inner join netcore_messages
        on netcore_rows.message_id = netcore_messages.message_id

),

{% endif -%}
{% if 'benchmark' in providers -%}
benchmark as (

    -- email events of a campaign only: contact-level events (created, updated, ...) and
    -- unsubscribes outside a campaign are not email events
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

    from benchmark_contact_events
    where campaign_id is not null
        and (raw_event_type like 'email-%' or raw_event_type = 'contact-unsubscribed')

),

{% endif -%}
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

    -- quarantine (CONTRACTS.md 14): a raw type the seed does not map is kept as `unknown`, its
    -- raw value in raw_event_type; it counts as no known kind anywhere downstream, and
    -- assert_no_unmapped_event_types warns with the provider, the value and its count
    select
        pseudonymized.*,
        coalesce(event_type_map.event_type, 'unknown') as event_type,
        providers.bounce_class_rule

    from pseudonymized
    left join event_type_map
        on pseudonymized.provider = event_type_map.provider
        and pseudonymized.raw_event_type = event_type_map.raw_event_type
    left join providers
        on pseudonymized.provider = providers.provider

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
        -- seed email_providers.bounce_class_rule: `provider_first` (Netcore status, Benchmark
        -- emailBounceType) takes the provider's own class and decodes the code only when it
        -- gives none; `code_first` (APSIS One, Maxemail) decodes the code and falls back on the
        -- provider's class (Maxemail bounce type) for a code the seed does not know; else unknown
        case
            when event_type = 'bounced' and bounce_class_rule = 'provider_first'
                then coalesce(provider_bounce_class, matched_bounce_class, 'unknown')
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
