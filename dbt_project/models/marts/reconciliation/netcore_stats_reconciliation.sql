{#-
    One row per Netcore account_id, account-local day and metric: Netcore's own daily stats
    (`GET /v6/stats?aggregated_by=day`, counted from the messages requested that day) beside the
    same number counted from the modelled events (`fct_email_events`, whose `source_event_id` is
    the message's trid), and the difference (modelled - reported); `processed` is left out.
    Ours are sums per account and day of int_netcore__message_outcomes (one row per message with
    its local request date and flags, incremental), not a grouping of every fact on each run.

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
{%- set not_plain = ' (status not bounce)' if plain_bounces == 'bounce_only' else '' %}
{#- the column each metric sums (int_netcore__message_outcomes): every message is requested;
    with bounce_only the bounce pair that leaves the plain status out -#}
{%- set columns = {'is_requested': '1'} %}
{%- if plain_bounces == 'bounce_only' %}
    {%- do columns.update({
        'is_hard_bounce': 'is_hard_bounce_not_plain',
        'is_soft_bounce': 'is_soft_bounce_not_plain',
    }) %}
{%- endif %}

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

modelled as (

    -- Netcore counts a message on the account-local date of its request
    select
        account_id,
        stats_date,
        {% for metric, flag, _ in metrics -%}
        sum({{ columns.get(flag, flag) }}) as modelled__{{ metric }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from {{ ref('int_netcore__message_outcomes') }}
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
