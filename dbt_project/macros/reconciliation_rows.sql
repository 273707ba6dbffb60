{#-
    The rows of a reconciliation mart (CONTRACTS.md 8): one per subject and metric, `union all`
    over the metrics, from `relation`, which holds `reported__<column>` (the provider's own
    number, null when it reported none) and `modelled__<column>` (ours) for each metric:
    provider, the subject `keys`, metric, modelled_from, reported_value, modelled_value,
    difference (modelled - reported) and reported_at (the column `reported_at`).

    metrics: (metric name, column, where our number comes from); metric_prefix: an SQL
    expression put before each metric name (a link's JSON path), none for the name alone.
-#}
{% macro reconciliation_rows(
    provider, keys, metrics, relation='paired', reported_at='reported_at', metric_prefix=none
) -%}
    {%- for metric, column, modelled_from in metrics -%}
    {%- if not loop.first %}

    union all

    {% endif -%}
    select
        '{{ provider }}' as provider,
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {% if metric_prefix is none -%}
        '{{ metric }}'
        {%- else -%}
        {{ dbt.concat([metric_prefix, "'" ~ metric ~ "'"]) }}
        {%- endif %} as metric,
        '{{ modelled_from }}' as modelled_from,
        reported__{{ column }} as reported_value,
        modelled__{{ column }} as modelled_value,
        modelled__{{ column }} - reported__{{ column }} as difference,
        {{ reported_at }} as reported_at

    from {{ relation }}
    {%- endfor %}
{%- endmacro %}



{#-
    The pairing of a reconciliation (CONTRACTS.md 8): one row per subject (the `keys`) known to
    either side, the provider's numbers beside ours, as reconciliation_rows reads them. A subject
    only the provider reports is modelled as 0; one only we know has no reported numbers (null:
    not reconciled).

    reported, modelled: the two relations (each with the `keys`); reported_at: its SQL;
    columns: (column, the reported SQL, the modelled SQL), giving `reported__<column>` and
    `modelled__<column>`.
-#}
{% macro reconciliation_pairs(keys, reported, modelled, reported_at, columns) -%}
    select
        {%- for key in keys %}
        subjects.{{ key }},
        {%- endfor %}
        {{ reported_at }} as reported_at,
        {%- for column, reported_sql, modelled_sql in columns %}
        {{ reported_sql }} as reported__{{ column }},
        coalesce({{ modelled_sql }}, 0) as modelled__{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from (
        select {{ keys | join(', ') }} from {{ reported }}

        union

        select {{ keys | join(', ') }} from {{ modelled }}
    ) as subjects
    {%- for relation in [reported, modelled] %}
    left join {{ relation }}
        on {% for key in keys -%}
        subjects.{{ key }} = {{ relation }}.{{ key }}
        {%- if not loop.last %}
        and {% endif -%}
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}


{#-
    netcore_stats_reconciliation's metrics: (Netcore's stats key, the per-day sum of message flags
    that models it, where ours comes from); `not_plain` is appended to the bounce descriptions.
-#}
{% macro netcore_stats_metrics(not_plain='') -%}
{%- set metrics = [
    ('requested', 'is_requested', 'messages loaded (stg_netcore__messages)'),
    ('sent', 'is_sent', 'messages with a sent event'),
    ('delivered', 'is_delivered', 'messages with a delivered event'),
    ('dropped', 'is_dropped', 'messages with a dropped event of raw type dropped'),
    ('invalid', 'is_invalid', 'messages with a dropped event of raw type invalid'),
    ('hardbounce', 'is_hard_bounce', 'messages with a hard bounce' ~ not_plain),
    ('softbounce', 'is_soft_bounce', 'messages with a soft, block or unknown bounce, none hard'
        ~ not_plain),
    ('bounce', 'is_bounce', 'messages with a hard, soft, block or unknown bounce'),
    ('opened', 'open_count', 'opened events'),
    ('unique_opened', 'is_opened', 'messages with an opened event'),
    ('clicked', 'click_count', 'clicked events'),
    ('unique_clicked', 'is_clicked', 'messages with a clicked event'),
    ('unsubscribed', 'is_unsubscribed', 'messages with an unsubscribed event'),
    ('spam', 'is_complained', 'messages with a complained event'),
] -%}
    {{ return(metrics) }}
{%- endmacro %}


{#-
    The flag and count columns of int_netcore__message_outcomes, one per metric of
    netcore_stats_metrics but `requested` (every message row), then the bounce pair of var
    `netcore_stats_plain_bounces` = `bounce_only` (a plain `bounce` status not counted).
-#}
{% macro netcore_message_flags() -%}
    {%- set flags = [] -%}
    {%- for _, flag, _ in netcore_stats_metrics() if flag != 'is_requested' -%}
        {%- do flags.append(flag) -%}
    {%- endfor -%}
    {{ return(flags + ['is_hard_bounce_not_plain', 'is_soft_bounce_not_plain']) }}
{%- endmacro %}


{#-
    Whether int_netcore__message_outcomes ({{ this }}) holds a message dated in another zone
    than `zone` (column stats_timezone): var `netcore_timezone` changed since, so its run
    recomputes every message.
-#}
{% macro netcore_zone_changed(zone) -%}
    {%- set changed = false -%}
    {%- if execute -%}
        {%- set query -%}
            select count(*) from {{ this }}
            where stats_timezone <> {{ sql_string_literal(zone) }}
        {%- endset -%}
        {%- set changed = run_query(query).columns[0].values()[0] > 0 -%}
    {%- endif -%}
    {{ return(changed) }}
{%- endmacro %}
