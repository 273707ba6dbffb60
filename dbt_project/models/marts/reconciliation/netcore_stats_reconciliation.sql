{#-
    One row per Netcore account_id, account-local day and metric: Netcore's own daily stats
    (`GET /v6/stats?aggregated_by=day`, counted from the messages requested that day) beside the
    same number counted from the modelled events (`fct_email_events`, whose `source_event_id` is
    the message's trid), and the difference (modelled - reported); `processed` is left out.

    Bounces count by the decoded `bounce_class`, folded as in the campaign report: hard, else
    soft (soft, block, unknown); informational is no bounce. ASSUMPTION (Netcore does not say how
    its stats count a plain `bounce` status, DECISIONLOG.md): var `netcore_stats_plain_bounces`
    `by_class` (default) counts it in hardbounce or softbounce by its class, `bounce_only` in
    bounce alone.
-#}

{{ config(enabled=var('netcore_enabled', true)) }}

{%- set plain_bounces = var('netcore_stats_plain_bounces', 'by_class') %}
{%- if plain_bounces not in ['by_class', 'bounce_only'] %}
    {{ exceptions.raise_compiler_error(
        "var netcore_stats_plain_bounces must be by_class or bounce_only, not " ~ plain_bounces
    ) }}
{%- endif %}
{#- the bounces that count in hardbounce / softbounce: all, or all but the plain status -#}
{%- set split = "event_type = 'bounced'" ~ (
    " and raw_event_type <> 'bounce'" if plain_bounces == 'bounce_only' else ""
) %}
{%- set not_plain = ' (status not bounce)' if plain_bounces == 'bounce_only' else '' %}
{%- set hard = "case when " ~ split ~ " and bounce_class = 'hard' then 1 else 0 end" %}
{%- set soft = "case when " ~ split
    ~ " and bounce_class in ('soft', 'block', 'unknown') then 1 else 0 end" %}

{#- (Netcore's stats key, message flag, where ours comes from): macros/reconciliation_rows.sql -#}
{%- set metrics = netcore_stats_metrics(not_plain) -%}
{%- set metrics_from, pairs = [], [] -%}
{%- for metric, _, modelled_from in metrics -%}
    {%- do metrics_from.append((metric, metric, modelled_from)) -%}
    {%- do pairs.append((metric, 'stats.' ~ metric ~ '_count', 'modelled.modelled__' ~ metric)) -%}
{%- endfor %}

with

stats as (

    select * from {{ ref('stg_netcore__daily_stats') }}

),

messages as (

    select * from {{ ref('stg_netcore__messages') }}

),

events as (

    select * from {{ ref('fct_email_events') }}
    where provider = 'netcore'

),

message_events as (

    -- one row per message with events: what the events say happened to it
    select
        source_event_id as message_id,
        max(case when event_type = 'sent' then 1 else 0 end) as is_sent,
        max(case when event_type = 'delivered' then 1 else 0 end) as is_delivered,
        max(case when raw_event_type = 'dropped' then 1 else 0 end) as is_dropped,
        max(case when raw_event_type = 'invalid' then 1 else 0 end) as is_invalid,
        -- bounces by their decoded class, folded as in the campaign report (hard beats soft)
        max({{ hard }}) as is_hard_bounce,
        case when max({{ hard }}) = 1 then 0 else max({{ soft }}) end as is_soft_bounce,
        max(
            case when bounce_class in ('hard', 'soft', 'block', 'unknown') then 1 else 0 end
        ) as is_bounce,
        count(case when event_type = 'opened' then 1 end) as open_count,
        max(case when event_type = 'opened' then 1 else 0 end) as is_opened,
        count(case when event_type = 'clicked' then 1 end) as click_count,
        max(case when event_type = 'clicked' then 1 else 0 end) as is_clicked,
        max(case when event_type = 'unsubscribed' then 1 else 0 end) as is_unsubscribed,
        max(case when event_type = 'complained' then 1 else 0 end) as is_complained

    from events
    group by source_event_id

),

message_days as (

    -- Netcore counts a message on the account-local date of its request
    select
        messages.account_id,
        {{ local_date('messages.requested_at', var('netcore_timezone', 'Asia/Kolkata')) }}
            as stats_date,
        1 as is_requested,
        {% for _, flag, _ in metrics if flag != 'is_requested' -%}
        coalesce(message_events.{{ flag }}, 0) as {{ flag }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from messages
    left join message_events
        on messages.message_id = message_events.message_id

),

modelled as (

    select
        account_id,
        stats_date,
        {% for metric, flag, _ in metrics -%}
        sum({{ flag }}) as modelled__{{ metric }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from message_days
    group by account_id, stats_date

),

paired as (

    -- days known to either side: a stats day without messages is modelled as 0, a day with
    -- messages but no stats row has no reported numbers
    {{ reconciliation_pairs(
        ['account_id', 'stats_date'], 'stats', 'modelled', 'stats.taken_at', pairs,
    ) }}

),

unpivoted as (

    {{ reconciliation_rows('netcore', ['account_id', 'stats_date'], metrics_from) }}

)

select * from unpivoted
