{#-
    The periods and buckets of the time-bucketed report marts (CONTRACTS.md section 9; the
    definitions of sandbox/report_periods.py). Vars: `report_as_of`, `report_past_days`,
    `reporting_timezone`, `report_period_alignment`.
-#}

{#- `report_as_of` (RFC 3339 text, e.g. '2026-05-01T00:00:00Z') as naive UTC; unset: now. -#}
{% macro report_as_of() -%}
    {%- set as_of = var('report_as_of', none) -%}
    {%- if as_of -%}
        {{ rfc3339_to_timestamp(sql_string_literal(as_of)) }}
    {%- else -%}
        {{ timestamptz_to_utc(dbt.current_timestamp()) }}
    {%- endif -%}
{%- endmacro %}


{#- The reporting time zone (IANA), applied only to bucketing and to calendar periods. -#}
{% macro reporting_timezone() -%}
    {{- return(var('reporting_timezone', 'UTC')) -}}
{%- endmacro %}


{#-
    How `past_days` cuts time (var `report_period_alignment`): `calendar` (default, the OpenAPI's
    examples) = the past_days whole local days (24 whole local hours for past_days = 1) before the
    day (hour) holding as_of; `rolling` = the past_days x 24 h before as_of itself.
-#}
{% macro report_period_alignment() -%}
    {%- set alignment = var('report_period_alignment', 'calendar') -%}
    {%- if alignment not in ['calendar', 'rolling'] -%}
        {{ exceptions.raise_compiler_error(
            "var report_period_alignment must be 'calendar' or 'rolling', not '" ~ alignment ~ "'"
        ) }}
    {%- endif -%}
    {{- return(alignment) -}}
{%- endmacro %}


{#- A select of the integers 0 .. upper - 1 in column `n` (plain SQL, no packages). -#}
{% macro integer_series(upper) -%}
    select units.digit + 10 * tens.digit + 100 * hundreds.digit as n
    from
        (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as units (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as tens (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as hundreds (digit)
    where units.digit + 10 * tens.digit + 100 * hundreds.digit < {{ upper }}
{%- endmacro %}


{#- 'hour' for past_days = 1, else 'day'. -#}
{% macro report_bucket_unit(past_days) -%}
    case when {{ past_days }} = 1 then 'hour' else 'day' end
{%- endmacro %}


{#-
    Select-list columns `period_end`, `period_start`, `previous_start` (naive UTC) and
    `bucket_unit` of the period of `past_days` (SQL) at `as_of` (SQL, naive UTC) in `zone` (a
    Jinja string or `{'sql': expression}`, see zone_sql), by report_period_alignment().
-#}
{% macro report_period_bounds(as_of, past_days, zone) -%}
    {%- if report_period_alignment() == 'rolling' -%}
        {{ as_of }} as period_end,
        {{ dbt.dateadd('day', '-1 * (' ~ past_days ~ ')', as_of) }} as period_start,
        {{ dbt.dateadd('day', '-2 * (' ~ past_days ~ ')', as_of) }} as previous_start,
    {%- else -%}
        {%- set hour_end = local_hour_start_utc(as_of, zone) -%}
        {%- set local_day = 'cast(' ~ local_date(as_of, zone) ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
        {%- for column, units in [('period_end', 0), ('period_start', 1), ('previous_start', 2)] %}
        case
            when {{ past_days }} = 1 then {{ dbt.dateadd('hour', -24 * units, hour_end) }}
            else {{ local_to_utc(dbt.dateadd('day', '-' ~ units ~ ' * (' ~ past_days ~ ')', local_day), zone) }}
        end as {{ column }},
        {%- endfor %}
    {%- endif %}
        {{ report_bucket_unit(past_days) }} as bucket_unit
{%- endmacro %}


{#-
    One row per past_days (1..90; var `report_past_days`, a list, builds only those values, e.g.
    in unit tests): `as_of`, the period [period_start, period_end), the previous period
    [previous_start, period_start) and the period's `bucket_unit`.
-#}
{% macro report_periods() -%}
    {%- set only = var('report_past_days', none) -%}
    select
        cast(series.n as {{ dbt.type_int() }}) as past_days,
        as_of.as_of,
        {{ report_period_bounds('as_of.as_of', 'series.n', reporting_timezone()) }}
    from (
        {%- if only %}
        select n from (values {% for days in only %}({{ days | int }}){{ ', ' if not loop.last }}{% endfor %}) as listed (n)
        {%- else %}
        select n + 1 as n from ({{ integer_series(90) }}) as series
        {%- endif %}
    ) as series
    cross join (select {{ report_as_of() }} as as_of) as as_of
{%- endmacro %}


{#-
    The windows of the period histograms (email_histogram, email_dashboard_contact_histogram):
    one per past_days, the period [period_start, period_end) itself, in its bucket unit; the input
    of report_buckets.
-#}
{% macro report_histogram_windows() -%}
    select
        past_days,
        as_of,
        period_start,
        period_end,
        period_start as window_start,
        period_end as window_end,
        bucket_unit
    from ({{ report_periods() }}) as report_periods
{%- endmacro %}


{#-
    Buckets of windows: `windows` is a relation (CTE) with the columns `key_columns` plus
    `window_start`, `window_end` (naive UTC) and `bucket_unit` ('hour' or 'day'); `numbers` a
    relation of integers `n` 0..99. Rows: the key columns, `bucket_start_utc`, `bucket_end_utc`
    and `bucket_start_local` (naive local time in the reporting zone) of every local hour or local
    calendar day overlapping [window_start, window_end) (with rolling periods the first may start
    before the window; a DST day has 23 or 25 hours). At most 99 buckets a window. With
    `counted`, the windows have a `bucket_count` instead of `window_end`: that many buckets from
    the one holding window_start.
-#}
{% macro report_buckets(windows, numbers, key_columns, counted=false) -%}
    {%- set zone = reporting_timezone() -%}
    {%- set keys = [] -%}
    {%- for column in key_columns -%}{%- do keys.append('spans.' ~ column) -%}{%- endfor -%}
    select
        {{ keys | join(', ') }},
        spans.bucket_index,
        spans.bucket_start_utc,
        spans.bucket_end_utc,
        {{ utc_to_local('spans.bucket_start_utc', zone) }} as bucket_start_local
    from (
        select
            windows.*,
            numbers.n as bucket_index,
            {{ dbt.dateadd('hour', 'numbers.n', local_hour_start_utc('windows.window_start', zone)) }} as bucket_start_utc,
            {{ dbt.dateadd('hour', 'numbers.n + 1', local_hour_start_utc('windows.window_start', zone)) }} as bucket_end_utc
        from {{ windows }} as windows
        cross join {{ numbers }} as numbers
        where windows.bucket_unit = 'hour'

        union all

        select
            windows.*,
            numbers.n as bucket_index,
            {{ local_to_utc(dbt.dateadd('day', 'numbers.n', 'cast(' ~ local_date('windows.window_start', zone) ~ ' as ' ~ dbt.type_timestamp() ~ ')'), zone) }} as bucket_start_utc,
            {{ local_to_utc(dbt.dateadd('day', 'numbers.n + 1', 'cast(' ~ local_date('windows.window_start', zone) ~ ' as ' ~ dbt.type_timestamp() ~ ')'), zone) }} as bucket_end_utc
        from {{ windows }} as windows
        cross join {{ numbers }} as numbers
        where windows.bucket_unit = 'day'
    ) as spans
    where
        {%- if counted %}
        spans.bucket_index < spans.bucket_count
        {%- else %}
        spans.bucket_start_utc < spans.window_end
        {%- endif %}
{%- endmacro %}


{#-
    `hour_bucket_start_utc` and `day_bucket_start_utc`: the UTC start of the local hour and of the
    local day (reporting time zone) holding `time_column`, computed once per row so that a join
    to every period only picks one (report_bucket_start).
-#}
{% macro report_local_bucket_starts(time_column) -%}
    {{ local_hour_start_utc(time_column, reporting_timezone()) }} as hour_bucket_start_utc,
    {{ local_day_start_utc(time_column, reporting_timezone()) }} as day_bucket_start_utc
{%- endmacro %}


{#- The bucket start of a row of `relation` (with report_local_bucket_starts) in `periods`' unit. -#}
{% macro report_bucket_start(relation, periods='periods') -%}
    case
        when {{ periods }}.bucket_unit = 'hour' then {{ relation }}.hour_bucket_start_utc
        else {{ relation }}.day_bucket_start_utc
    end
{%- endmacro %}
