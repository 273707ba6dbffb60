{#-
    Netcore's email events in the conformed shape (macro conformed_columns('email_events')): one
    row per event a message row (its latest status, with its opens and clicks) implies
    (CONTRACTS.md 6.3). The raw type is Netcore's own event name.
-#}

with

messages as (

    select * from {{ ref('stg_netcore__messages') }}

),

opens as (

    select * from {{ ref('stg_netcore__opens') }}

),

clicks as (

    select * from {{ ref('stg_netcore__clicks') }}

),

message_events as (

    -- a message row (latest status) expands into its events. Relayed: every status but
    -- processed, dropped and invalid.
    select
        message_id,
        'sent' as raw_event_type,
        requested_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url
    from messages
    where message_status not in ('processed', 'dropped', 'invalid')

    union all

    select
        message_id,
        'delivered' as raw_event_type,
        delivered_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url
    from messages
    where delivered_at is not null

    union all

    -- one open per entry of the message's `opens`
    select
        message_id,
        'open' as raw_event_type,
        opened_at as occurred_at,
        ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url
    from opens

    union all

    -- one click per entry of the message's `clicks`
    select
        message_id,
        'click' as raw_event_type,
        clicked_at as occurred_at,
        ip_address,
        link_url
    from clicks

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
    from messages
    where message_status not in ('processed', 'sent', 'delivered', 'open', 'click')

),

conformed as (

    select
        'netcore' as provider,
        messages.account_id,
        'campaign' as message_type,
        messages.campaign_id,
        messages.email_address,
        message_events.raw_event_type,
        -- trid (with the raw type, in event_id) identifies a message's one event of each kind;
        -- opens and clicks add their time, IP and link, so a re-read message keeps its ids and
        -- two opens stay two
        {{ identity_string([
            'message_events.message_id', 'message_events.occurred_at', 'message_events.ip_address',
            'message_events.link_url',
        ]) }} as event_identity,
        message_events.message_id as source_event_id,
        message_events.occurred_at,
        message_events.occurred_at as received_at,
        message_events.link_url,
        case
            when message_events.raw_event_type in ('hardbounce', 'softbounce', 'bounce')
                then messages.smtp_status_code
        end as bounce_code,
        -- Netcore classes every bounce itself, in its status (CONTRACTS.md 6.3); the plain
        -- `bounce` status has no class of its own: the seed decodes its code
        case message_events.raw_event_type
            when 'hardbounce' then 'hard'
            when 'softbounce' then 'soft'
        end as provider_bounce_class,
        case
            when message_events.raw_event_type in ('hardbounce', 'softbounce', 'bounce')
                then messages.remarks
        end as provider_bounce_reason,
        messages.loaded_at,
        -- not in the event logs
        {{ conformed_nulls('email_events', [
            'split_id', 'variation', 'device', 'device_raw', 'country', 'link_id', 'link_title',
            'unsubscribe_topic', 'complaint_source',
        ]) }}

    from message_events
    inner join messages
        on message_events.message_id = messages.message_id

)

select * from conformed
