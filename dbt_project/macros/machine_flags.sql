{#-
    Human and machine engagement (issue 16; docs/CONTRACTS.md 18, DECISIONLOG "Human and machine
    engagement"). Every rule is pair-local: it reads the events of one (provider, account_id,
    campaign_id, recipient_key) pair, the grain of fct_email_deliveries, and static data (the
    vars below, seeds email_machine_ip_prefixes and email_providers). So a flag can change only
    when another event of its pair is loaded, and fct_email_events re-flags the whole pair then.

    The rules, the first that fires names machine_reason (1 to 10):
      1 provider_flag      the provider's own flag (provider_machine_flag; none of the four)
      2 proxy_ip           an open from a `proxy` prefix of the seed (Apple 17/8 by default)
      3 scanner_ip         a click from a `scanner` prefix of the seed (none by default)
      4 device             upper(device_raw) starts with a value of var machine_devices ([])
      5 fast_open          an open at or before the reference + machine_open_seconds_after_delivery
      6 fast_click         a click at or before the reference + machine_click_seconds_after_delivery
      7 click_burst        a click within machine_click_burst_seconds of the pair's first click,
                           when those clicks cover >= machine_click_burst_min_links links
      8 click_before_open  a click before the pair's first open (or with none; only with none
                           where an opened row is the latest open, seed email_providers
                           open_rows: Maxemail) and within machine_click_before_open_seconds of
                           the reference (-1: at any time)
      9 open_burst         an open within machine_open_burst_seconds of the pair's first open,
                           when there are >= machine_open_burst_min_opens of them
     10 scanner_open       an open from the pair's first click flagged 3, 6, 7 or 8 to
                           machine_click_burst_seconds after its last such click
    The reference is the pair's first delivery event, or its first send (plus
    machine_send_to_delivery_seconds in rules 5, 6 and 8) when the provider's delivered_rule is
    sent_not_bounced (Maxemail) or no delivery event is loaded. Time tests are dateadd
    comparisons, never datediff (DuckDB and PostgreSQL count second boundaries differently).
-#}

{#- The vars the flags depend on: recorded and checked by seed_guard (fct_email_events). -#}
{% macro machine_rule_vars() -%}
    {{ return([
        'machine_detection_enabled',
        'machine_open_seconds_after_delivery',
        'machine_click_seconds_after_delivery',
        'machine_send_to_delivery_seconds',
        'machine_click_burst_seconds',
        'machine_click_burst_min_links',
        'machine_click_before_open_seconds',
        'machine_open_burst_seconds',
        'machine_open_burst_min_opens',
        'machine_devices',
    ]) }}
{%- endmacro %}


{#- An integer var, failing at compile time when it is not one. -#}
{% macro machine_int_var(name) -%}
    {%- set value = var(name) | string | trim -%}
    {%- if not (value.lstrip('-') | length > 0 and value.lstrip('-').isdigit()) -%}
        {{ exceptions.raise_compiler_error('var ' ~ name ~ ' must be an integer, got ' ~ value) }}
    {%- endif -%}
    {{ return(value | int) }}
{%- endmacro %}


{#-
    Rules 5, 6, 8: the event at or before its pair's window end `until` (a timestamp column,
    the reference + N seconds, made with dbt.dateadd in machine_pair_windows); null (no
    reference loaded) never fires.
-#}
{% macro machine_timing_rule(until, at='occurred_at') -%}
    {{ at }} <= {{ until }}
{%- endmacro %}


{#- Rules 2-4: a value (an IP, a device) starting with one of a list's prefixes. -#}
{% macro machine_value_rule(column, kind=none, prefixes=none) -%}
    {%- if kind is not none -%}
    exists (
        select 1 from {{ ref('email_machine_ip_prefixes') }} as machine_prefixes
        where machine_prefixes.kind = '{{ kind }}'
            and {{ column }} like {{ dbt.concat(['machine_prefixes.ip_prefix', "'%'"]) }}
    )
    {%- elif prefixes -%}
    ({% for prefix in prefixes -%}
        {{ column }} like '{{ prefix | string | upper | replace("'", "''") }}%'
        {{- ' or ' if not loop.last }}
    {%- endfor %})
    {%- else -%}
    1 = 0
    {%- endif -%}
{%- endmacro %}


{#- Rules 7 and 9: the event lies in its pair's burst (`until`) and the burst has >= `minimum`. -#}
{% macro machine_burst_rule(until, count, minimum, at='engagements.occurred_at') -%}
    {{ at }} <= {{ until }} and {{ count }} >= {{ minimum }}
{%- endmacro %}


{#-
    The pair's key columns: account_id null-safe (it may be null; staging turns '' into null, so
    '' stands for null exactly), so an equi-join hashes on both engines, where `is not distinct
    from` does not on PostgreSQL. campaign_id and recipient_key are never null (the fact's
    not_null checks) and stay plain columns (a coalesce of the 64-character key on every row
    cost CPU); an open or click with a null one keeps its row through the left join in
    machine_engagements and is human unless a value rule (1-4) fires.
-#}
{% macro machine_pair_columns() -%}
    provider,
    coalesce(account_id, '') as pair_account_id,
    campaign_id as pair_campaign_id,
    recipient_key as pair_recipient_key
{%- endmacro %}


{#- The join of `left` (event rows) with `right` (rows keyed by machine_pair_columns). -#}
{% macro machine_pair_join(left, right) -%}
    {{ left }}.provider = {{ right }}.provider
        and coalesce({{ left }}.account_id, '') = {{ right }}.pair_account_id
        and {{ left }}.campaign_id = {{ right }}.pair_campaign_id
        and {{ left }}.recipient_key = {{ right }}.pair_recipient_key
{%- endmacro %}


{#- The join of two CTEs that both carry the pair columns. -#}
{% macro machine_pair_key_join(left, right) -%}
    {{ left }}.provider = {{ right }}.provider
        and {{ left }}.pair_account_id = {{ right }}.pair_account_id
        and {{ left }}.pair_campaign_id = {{ right }}.pair_campaign_id
        and {{ left }}.pair_recipient_key = {{ right }}.pair_recipient_key
{%- endmacro %}


{#-
    machine_flag_ctes(events): CTEs over `events` (a CTE of canonical event rows holding, for
    every pair it has an open or click of, all of the pair's sent, delivered, opened and clicked
    events). The last one, `machine_classified`, is the opens and clicks of `events` with
    is_machine_open, is_bot_click, machine_reason and classified_loaded_at (the newest loaded_at
    among the pair's sent/delivered/opened/clicked events). Plain group-bys and hash joins, no
    window frames. Placed after `with` or a comma; the model writes the comma after it.
-#}
{% macro machine_flag_ctes(events) -%}
    {%- set enabled = var('machine_detection_enabled') | string | lower in ['true', '1', 'yes'] -%}
    {%- set open_seconds = machine_int_var('machine_open_seconds_after_delivery') -%}
    {%- set click_seconds = machine_int_var('machine_click_seconds_after_delivery') -%}
    {%- set send_seconds = machine_int_var('machine_send_to_delivery_seconds') -%}
    {%- set burst_seconds = machine_int_var('machine_click_burst_seconds') -%}
    {%- set before_open_seconds = machine_int_var('machine_click_before_open_seconds') -%}
    {%- set open_burst_seconds = machine_int_var('machine_open_burst_seconds') -%}
    {%- set devices = var('machine_devices') or [] -%}
    {%- if devices is string -%}{%- set devices = devices.split(',') | map('trim') | list -%}{%- endif -%}
machine_pair_times as (

    select
        {{ machine_pair_columns() }},
        min(case when event_type = 'sent' then occurred_at end) as first_sent_at,
        min(case when event_type = 'delivered' then occurred_at end) as first_delivery_event_at,
        min(case when event_type = 'opened' then occurred_at end) as first_opened_at,
        min(case when event_type = 'clicked' then occurred_at end) as first_clicked_at,
        max(loaded_at) as classified_loaded_at

    from {{ events }}
    where event_type in ('sent', 'delivered', 'opened', 'clicked')
    group by 1, 2, 3, 4

),

machine_pair_windows as (

    -- the end of each time window, per pair; a send reference (sent_not_bounced, or no delivery
    -- event loaded) adds machine_send_to_delivery_seconds to the delivery-relative ones
    select
        pair_times.*,
        {%- for name, seconds in [
            ('fast_open_until', open_seconds),
            ('fast_click_until', click_seconds),
            ('before_open_until', before_open_seconds),
        ] %}
        case
            when providers.delivered_rule = 'sent_not_bounced' or first_delivery_event_at is null
                then {{ dbt.dateadd('second', seconds + send_seconds, 'first_sent_at') }}
            else {{ dbt.dateadd('second', seconds, 'first_delivery_event_at') }}
        end as {{ name }},
        {%- endfor %}
        {{ dbt.dateadd('second', burst_seconds, 'first_clicked_at') }} as click_burst_until,
        {{ dbt.dateadd('second', open_burst_seconds, 'first_opened_at') }} as open_burst_until,
        -- Maxemail's `opened` row is the recipient's latest open (seed email_providers.open_rows):
        -- its first open is unknown
        coalesce(providers.open_rows = 'latest_per_recipient', false) as opens_are_latest

    from machine_pair_times as pair_times
    left join {{ ref('email_providers') }} as providers
        on pair_times.provider = providers.provider
    where pair_times.first_opened_at is not null or pair_times.first_clicked_at is not null

),

machine_engagements as (

    select
        events.*,
        windows.first_opened_at as pair_first_opened_at,
        windows.opens_are_latest,
        windows.fast_open_until,
        windows.fast_click_until,
        windows.before_open_until,
        windows.click_burst_until,
        windows.open_burst_until,
        windows.classified_loaded_at as pair_classified_loaded_at,
        windows.pair_account_id,
        windows.pair_campaign_id,
        windows.pair_recipient_key

    from {{ events }} as events
    left join machine_pair_windows as windows
        on {{ machine_pair_join('events', 'windows') }}
    where events.event_type in ('opened', 'clicked')

),

machine_pair_bursts as (

    -- distinct links clicked in the click burst (id, else URL), opens in the open burst
    select
        provider, pair_account_id, pair_campaign_id, pair_recipient_key,
        count(distinct case
            when event_type = 'clicked' and occurred_at <= click_burst_until
                then {{ dbt.concat([
                    "case when link_id is null then 'u' else 'i' end",
                    "coalesce(link_id, link_url)",
                ]) }}
        end) as burst_link_count,
        count(case
            when event_type = 'opened' and occurred_at <= open_burst_until then 1
        end) as burst_open_count

    from machine_engagements
    group by 1, 2, 3, 4

),

machine_ruled as (

    select
        engagements.*,
        {%- if enabled %}
        case
            when engagements.provider_machine_flag then 'provider_flag'
            when engagements.event_type = 'opened'
                and {{ machine_value_rule('engagements.ip_address', kind='proxy') }}
                then 'proxy_ip'
            when engagements.event_type = 'clicked'
                and {{ machine_value_rule('engagements.ip_address', kind='scanner') }}
                then 'scanner_ip'
            when {{ machine_value_rule('upper(engagements.device_raw)', prefixes=devices) }}
                then 'device'
            when engagements.event_type = 'opened'
                and {{ machine_timing_rule('engagements.fast_open_until', 'engagements.occurred_at') }}
                then 'fast_open'
            when engagements.event_type = 'clicked'
                and {{ machine_timing_rule('engagements.fast_click_until', 'engagements.occurred_at') }}
                then 'fast_click'
            when engagements.event_type = 'clicked'
                and {{ machine_burst_rule(
                    'engagements.click_burst_until', 'bursts.burst_link_count',
                    machine_int_var('machine_click_burst_min_links'),
                ) }}
                then 'click_burst'
            when engagements.event_type = 'clicked'
                and (engagements.pair_first_opened_at is null
                    or (engagements.occurred_at < engagements.pair_first_opened_at
                        and not engagements.opens_are_latest))
                {%- if before_open_seconds >= 0 %}
                and {{ machine_timing_rule('engagements.before_open_until', 'engagements.occurred_at') }}
                {%- endif %}
                then 'click_before_open'
            when engagements.event_type = 'opened'
                and {{ machine_burst_rule(
                    'engagements.open_burst_until', 'bursts.burst_open_count',
                    machine_int_var('machine_open_burst_min_opens'),
                ) }}
                then 'open_burst'
        end as rule_reason
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as rule_reason
        {%- endif %}

    from machine_engagements as engagements
    left join machine_pair_bursts as bursts
        on {{ machine_pair_key_join('engagements', 'bursts') }}

),

machine_bot_clicks as (

    -- rule 10's window: the pair's clicks flagged as a scanner's (3, 6, 7, 8)
    select
        provider, pair_account_id, pair_campaign_id, pair_recipient_key,
        min(occurred_at) as first_bot_click_at,
        {{ dbt.dateadd('second', burst_seconds, 'max(occurred_at)') }} as scanner_open_until

    from machine_ruled
    where rule_reason in ('scanner_ip', 'fast_click', 'click_burst', 'click_before_open')
    group by 1, 2, 3, 4

),

machine_classified as (

    select
        ruled.*,
        case
            when ruled.rule_reason is not null then ruled.rule_reason
            when ruled.event_type = 'opened'
                and ruled.occurred_at >= bot_clicks.first_bot_click_at
                and ruled.occurred_at <= bot_clicks.scanner_open_until
                then 'scanner_open'
        end as machine_reason,
        ruled.pair_classified_loaded_at as classified_loaded_at

    from machine_ruled as ruled
    left join machine_bot_clicks as bot_clicks
        on {{ machine_pair_key_join('ruled', 'bot_clicks') }}

)
{%- endmacro %}


{#-
    The columns fct_email_events adds after the canonical ones: from machine_classified for an
    open or click (`flagged` true), null for every other event.
-#}
{% macro machine_flag_columns(flagged) -%}
    {%- if flagged -%}
        case when event_type = 'opened' then machine_reason is not null end as is_machine_open,
        case when event_type = 'clicked' then machine_reason is not null end as is_bot_click,
        machine_reason,
        classified_loaded_at
    {%- else -%}
        cast(null as {{ dbt.type_boolean() }}) as is_machine_open,
        cast(null as {{ dbt.type_boolean() }}) as is_bot_click,
        cast(null as {{ dbt.type_string() }}) as machine_reason,
        cast(null as {{ dbt.type_timestamp() }}) as classified_loaded_at
    {%- endif -%}
{%- endmacro %}


{#-
    The time of an open or click (`event_type`) no machine rule fired on (`flag`:
    is_machine_open or is_bot_click), else null: fct_email_deliveries' human columns are
    min/max/count of it.
-#}
{% macro human_engagement_time(event_type, flag) -%}
    case
        when event_type = '{{ event_type }}' and not coalesce({{ flag }}, false) then occurred_at
    end
{%- endmacro %}
