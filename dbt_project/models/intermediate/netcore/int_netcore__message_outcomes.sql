{#-
    One row per Netcore message (stg_netcore__messages, message_id unique): its account, the
    account-local date of its request (`stats_date`, var `netcore_timezone`), what its events in
    fct_email_events (source_event_id = the trid) say happened to it, as the flags and counts
    netcore_stats_reconciliation sums per day, and the message row's `loaded_at`. A message
    without events has every flag 0.

    Bounces by their decoded class, folded as in the campaign report (hard beats soft), in both
    readings of var `netcore_stats_plain_bounces`: `is_hard_bounce`/`is_soft_bounce` count every
    bounce (`by_class`), the `_not_plain` pair all but the plain `bounce` status (`bounce_only`),
    so the mart picks one and the table does not depend on the var.

    Incremental (delete+insert on message_id): a run recomputes the messages whose row was
    loaded within `event_lookback_hours` of the newest `loaded_at` here (macro lookback_since, a
    constant that reaches the raw scan), each from all of its facts, whenever they were loaded.
    That covers every fact loaded since: a Netcore fact's `loaded_at` is that of the message row
    it came from (opens and clicks included), and the message's current row is that copy or a
    later re-read. A re-read message comes back with a new `loaded_at`, so a changed status, new
    opens or clicks and a message left without events (flags 0) are all recomputed. When
    `netcore_timezone` is not the one the table was dated with (`stats_timezone`), every message
    is recomputed. A message row that disappears from the raw table without a re-read keeps its
    row here (as its facts stay in fct_email_events); a `--full-refresh` drops it.
-#}

{{
    config(
        materialized='incremental',
        unique_key='message_id',
        enabled=var('netcore_enabled', true),
    )
}}

{%- set zone = var('netcore_timezone', 'Asia/Kolkata') %}
{%- set changed_only = is_incremental() and not netcore_zone_changed(zone) %}
{%- set bounced = "event_type = 'bounced'" %}
{%- set not_plain = " and raw_event_type <> 'bounce'" %}
{%- set soft_classes = "bounce_class in ('soft', 'block', 'unknown')" %}

with

messages as (

    select
        message_id,
        account_id,
        {{ local_date('requested_at', zone) }} as stats_date,
        loaded_at
    from {{ ref('stg_netcore__messages') }}
    {%- if changed_only %}
    -- the message rows new or re-read within the lookback
    where loaded_at >= {{ lookback_since() }}
    {%- endif %}

),

facts as (

    -- every fact of those messages, whenever it was loaded
    select source_event_id, event_type, raw_event_type, bounce_class
    from {{ ref('fct_email_events') }}
    where provider = 'netcore'
    {%- if changed_only %}
        and source_event_id in (select message_id from messages)
    {%- endif %}

),

message_events as (

    select
        source_event_id as message_id,
        max(case when event_type = 'sent' then 1 else 0 end) as is_sent,
        max(case when event_type = 'delivered' then 1 else 0 end) as is_delivered,
        max(case when raw_event_type = 'dropped' then 1 else 0 end) as is_dropped,
        max(case when raw_event_type = 'invalid' then 1 else 0 end) as is_invalid,
        {%- for suffix, split in [('', bounced), ('_not_plain', bounced ~ not_plain)] %}
        {%- set hard = "case when " ~ split ~ " and bounce_class = 'hard' then 1 else 0 end" %}
        {%- set soft = "case when " ~ split ~ " and " ~ soft_classes ~ " then 1 else 0 end" %}
        max({{ hard }}) as is_hard_bounce{{ suffix }},
        case when max({{ hard }}) = 1 then 0 else max({{ soft }}) end as is_soft_bounce{{ suffix }},
        {%- endfor %}
        max(
            case when bounce_class in ('hard', 'soft', 'block', 'unknown') then 1 else 0 end
        ) as is_bounce,
        count(case when event_type = 'opened' then 1 end) as open_count,
        max(case when event_type = 'opened' then 1 else 0 end) as is_opened,
        count(case when event_type = 'clicked' then 1 end) as click_count,
        max(case when event_type = 'clicked' then 1 else 0 end) as is_clicked,
        max(case when event_type = 'unsubscribed' then 1 else 0 end) as is_unsubscribed,
        max(case when event_type = 'complained' then 1 else 0 end) as is_complained

    from facts
    group by source_event_id

),

final as (

    select
        messages.message_id,
        messages.account_id,
        messages.stats_date,
        cast({{ sql_string_literal(zone) }} as {{ dbt.type_string() }}) as stats_timezone,
        {%- for flag in netcore_message_flags() %}
        coalesce(message_events.{{ flag }}, 0) as {{ flag }},
        {%- endfor %}
        messages.loaded_at

    from messages
    left join message_events
        on messages.message_id = message_events.message_id

)

select * from final
