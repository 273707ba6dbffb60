{#-
    Netcore's email events in the conformed shape (macro conformed_columns('email_events')): one
    row per event a message row (its latest status, with its opens and clicks) implies
    (CONTRACTS.md 6.3). The raw type is Netcore's own event name.

    Every event row comes with its own message columns (loaded_at among them) and no join, so an
    incremental run's filter on loaded_at (incremental_lookback.sql) reaches each staging scan:
    the message's own events are one pass over the messages (a cross join with the three kinds),
    the opens and clicks carry their message's columns from staging. The former shape (one
    `messages` CTE read four times and joined back to every event) was materialized in full,
    every message of history parsed, before the filter applied (DECISIONLOG "Netcore's daily
    input: the recent messages only").
-#}

with

messages as (

    select * from {{ ref('stg_netcore__messages') }}

),

own_events as (

    -- a message row (latest status) expands into its events: sent at requested_at unless it was
    -- never relayed (processed, dropped, invalid); delivered when delivered_at is set; the status
    -- itself at modified_at, unless it is a step every relayed message passes (sent, delivered,
    -- open, click are covered here and by the entries); a status Netcore adds later is an event
    -- of its own too, quarantined as `unknown` (CONTRACTS.md 14), not lost
    select
        messages.message_id,
        messages.account_id,
        messages.campaign_id,
        messages.email_address,
        case kinds.event_kind
            when 'status' then messages.message_status
            else kinds.event_kind
        end as raw_event_type,
        case kinds.event_kind
            when 'sent' then messages.requested_at
            when 'delivered' then messages.delivered_at
            else messages.modified_at
        end as occurred_at,
        cast(null as {{ dbt.type_string() }}) as ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url,
        messages.smtp_status_code,
        messages.remarks,
        messages.loaded_at

    from messages
    cross join (values ('sent'), ('delivered'), ('status')) as kinds (event_kind)
    where
        (kinds.event_kind = 'sent'
            and messages.message_status not in ('processed', 'dropped', 'invalid'))
        or (kinds.event_kind = 'delivered' and messages.delivered_at is not null)
        or (kinds.event_kind = 'status'
            and messages.message_status not in ('processed', 'sent', 'delivered', 'open', 'click'))

),

message_events as (

    select * from own_events

    union all

    -- one open per entry of the message's `opens`
    select
        message_id, account_id, campaign_id, email_address,
        'open' as raw_event_type,
        opened_at as occurred_at,
        ip_address,
        cast(null as {{ dbt.type_string() }}) as link_url,
        cast(null as {{ dbt.type_int() }}) as smtp_status_code,
        cast(null as {{ dbt.type_string() }}) as remarks,
        loaded_at
    from {{ ref('stg_netcore__opens') }}

    union all

    -- one click per entry of the message's `clicks`
    select
        message_id, account_id, campaign_id, email_address,
        'click' as raw_event_type,
        clicked_at as occurred_at,
        ip_address,
        link_url,
        cast(null as {{ dbt.type_int() }}) as smtp_status_code,
        cast(null as {{ dbt.type_string() }}) as remarks,
        loaded_at
    from {{ ref('stg_netcore__clicks') }}

),

conformed as (

    select
        'netcore' as provider,
        account_id,
        'campaign' as message_type,
        campaign_id,
        email_address,
        raw_event_type,
        -- trid (with the raw type, in event_id) identifies a message's one event of each kind;
        -- opens and clicks add their time, IP and link, so a re-read message keeps its ids and
        -- two opens stay two
        {{ identity_string(['message_id', 'occurred_at', 'ip_address', 'link_url']) }}
            as event_identity,
        message_id as source_event_id,
        occurred_at,
        occurred_at as received_at,
        link_url,
        case
            when raw_event_type in ('hardbounce', 'softbounce', 'bounce') then smtp_status_code
        end as bounce_code,
        -- Netcore classes every bounce itself, in its status (CONTRACTS.md 6.3); the plain
        -- `bounce` status has no class of its own: the seed decodes its code
        case raw_event_type
            when 'hardbounce' then 'hard'
            when 'softbounce' then 'soft'
        end as provider_bounce_class,
        case
            when raw_event_type in ('hardbounce', 'softbounce', 'bounce') then remarks
        end as provider_bounce_reason,
        loaded_at,
        -- the opener's / clicker's IP (null for the message's own events): a machine signal
        -- (issue 16, macro machine_flag_ctes)
        ip_address,
        -- not in the event logs
        {{ conformed_nulls('email_events', [
            'split_id', 'variation', 'device', 'device_raw', 'country', 'link_id', 'link_title',
            'unsubscribe_topic', 'complaint_source', 'provider_machine_flag',
        ]) }}

    from message_events

)

select * from conformed
