{#-
    Building blocks of the time-bucketed report marts (CONTRACTS.md section 9; the definitions of
    sandbox/benchmark_reports.py).
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


{#- The reporting time zone (IANA), applied only to bucketing. -#}
{% macro reporting_timezone() -%}
    {{- return(var('reporting_timezone', 'UTC')) -}}
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


{#-
    One row per past_days (1..90; var `report_past_days`, a list, builds only those values, e.g.
    in unit tests): `as_of`, the period [period_start, as_of) of past_days x 24 h and the previous
    period [previous_start, period_start).
-#}
{% macro report_periods() -%}
    {%- set only = var('report_past_days', none) -%}
    select
        cast(series.n as {{ dbt.type_int() }}) as past_days,
        as_of.as_of,
        {{ dbt.dateadd('day', '-series.n', 'as_of.as_of') }} as period_start,
        {{ dbt.dateadd('day', '-2 * series.n', 'as_of.as_of') }} as previous_start
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
    Buckets of windows: `windows` is a relation (CTE) with the columns `key_columns` plus
    `window_start`, `window_end` (naive UTC) and `bucket_unit` ('hour' or 'day'); `numbers` a
    relation of integers `n` 0..99. Rows: the key columns, `bucket_start_utc`, `bucket_end_utc`
    and `bucket_start_local` (naive local time in the reporting zone) of every local hour or local
    calendar day overlapping [window_start, window_end) (the first may start before the window; a
    DST day has 23 or 25 hours). At most 99 buckets a window. With `counted`, the windows have a
    `bucket_count` instead of `window_end`: that many buckets from the one holding window_start.
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


{#- 'hour' for past_days = 1, else 'day'. -#}
{% macro report_bucket_unit(past_days) -%}
    case when {{ past_days }} = 1 then 'hour' else 'day' end
{%- endmacro %}


{#-
    count / delivered as a percentage rounded half up to 2 decimals, computed on exact integers
    (sandbox.truth._rate); 0 when delivered is 0. `report_rate_hundredths` is the same x 100 as an
    integer (the exact value the rate diffs compare).
-#}
{% macro report_rate_hundredths(count, delivered) -%}
    case
        when {{ delivered }} > 0
            then {{ integer_divide('20000 * (' ~ count ~ ') + (' ~ delivered ~ ')', '2 * (' ~ delivered ~ ')') }}
        else 0
    end
{%- endmacro %}

{% macro report_rate(count, delivered) -%}
    cast(cast({{ report_rate_hundredths(count, delivered) }} as numeric(18, 2)) / 100 as numeric(18, 2))
{%- endmacro %}


{#-
    % change of `current` against `previous` (non-negative integers, or rates in hundredths):
    (current - previous) / previous x 100 rounded half up (away from zero) to 2 decimals; 100 when
    previous is 0 and current > 0, 0 when both are 0.
-#}
{% macro report_diff(current, previous) -%}
    {%- set change = '(' ~ current ~ ') - (' ~ previous ~ ')' -%}
    cast(
        case
            when ({{ previous }}) = 0 then case when ({{ current }}) > 0 then 100 else 0 end
            else
                sign({{ change }})
                * cast(
                    {{ integer_divide('20000 * abs(' ~ change ~ ') + (' ~ previous ~ ')', '2 * (' ~ previous ~ ')') }}
                    as numeric(18, 2)
                ) / 100
        end
        as numeric(18, 2)
    )
{%- endmacro %}


{#-
    One row per (campaign, recipient) pair and event kind it ever had: `event_type` (the histogram
    names: email-sent, email-delivered, email-bounced, first-contact-unsubscribed,
    first-email-complaint, first-email-opened, first-email-clicked), `event_at` = the pair's
    FIRST event of that kind (a second open never counts again) and the pair's `bounce_class`.
-#}
{% macro report_first_events(deliveries) -%}
    {%- set kinds = [
        ('email-sent', 'first_sent_at'),
        ('email-delivered', 'coalesce(first_delivered_at, case when was_delivered then first_sent_at end)'),
        ('email-bounced', 'first_bounced_at'),
        ('first-contact-unsubscribed', 'first_unsubscribed_at'),
        ('first-email-complaint', 'first_complained_at'),
        ('first-email-opened', 'first_opened_at'),
        ('first-email-clicked', 'first_clicked_at'),
    ] -%}
    {%- for event_type, column in kinds %}
    select
        provider,
        account_id,
        campaign_id,
        recipient_key,
        '{{ event_type }}' as event_type,
        cast({{ column }} as {{ dbt.type_timestamp() }}) as event_at,
        bounce_class
    from {{ deliveries }}
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- A numeric with 2 decimals (rates and diffs). -#}
{% macro report_decimal(expression) -%}
    cast({{ expression }} as numeric(18, 2))
{%- endmacro %}


{#-
    One row per provider, account_id (every account with a pair in `deliveries`) and past_days
    (1..90): the pairs whose first event of each kind falls in the period (`<kind>_count`) and in
    the previous period (`previous_<kind>_count`). Kinds: sent, delivered, unique_open,
    unique_click, bounce (hard + soft), hard_bounce, soft_bounce, complaint, unsubscribe.
    With `periods` (a relation with provider, account_id, past_days, as_of, period_start,
    previous_start and the `period_keys` columns), one row per given period instead, e.g. at the
    time a provider took a report snapshot.
-#}
{% macro report_period_counts(deliveries, periods=none, period_keys=[]) -%}
    {%- set kinds = [
        ('sent', "event_type = 'email-sent'"),
        ('delivered', "event_type = 'email-delivered'"),
        ('unique_open', "event_type = 'first-email-opened'"),
        ('unique_click', "event_type = 'first-email-clicked'"),
        ('bounce', "event_type = 'email-bounced' and bounce_class in ('hard', 'soft')"),
        ('hard_bounce', "event_type = 'email-bounced' and bounce_class = 'hard'"),
        ('soft_bounce', "event_type = 'email-bounced' and bounce_class = 'soft'"),
        ('complaint', "event_type = 'first-email-complaint'"),
        ('unsubscribe', "event_type = 'first-contact-unsubscribed'"),
    ] -%}
    {%- set columns = period_keys + ['provider', 'account_id', 'past_days', 'as_of', 'period_start', 'previous_start'] -%}
    select
        {%- for column in columns %}
        periods.{{ column }},
        {%- endfor %}
        {%- for kind, condition in kinds %}
        count(case when events.{{ condition }} and events.event_at >= periods.period_start then 1 end) as {{ kind }}_count,
        count(case when events.{{ condition }} and events.event_at < periods.period_start then 1 end) as previous_{{ kind }}_count{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        {%- if periods %}
        select * from {{ periods }}
        {%- else %}
        select
            accounts.provider,
            accounts.account_id,
            report_periods.*
        from (select distinct provider, account_id from {{ deliveries }}) as accounts
        cross join ({{ report_periods() }}) as report_periods
        {%- endif %}
    ) as periods
    left join ({{ report_first_events(deliveries) }}) as events
        on events.provider = periods.provider
        and events.account_id is not distinct from periods.account_id
        and events.event_at >= periods.previous_start
        and events.event_at < periods.as_of
    group by
        {%- for column in columns %}
        periods.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}


{#-
    The windows of the period histograms (email_histogram, email_dashboard_contact_histogram):
    one per past_days, the period [period_start, as_of) itself, in hourly buckets for one day and
    local days otherwise; the input of report_buckets.
-#}
{% macro report_histogram_windows() -%}
    select
        past_days,
        as_of,
        period_start,
        period_start as window_start,
        as_of as window_end,
        {{ report_bucket_unit('past_days') }} as bucket_unit
    from ({{ report_periods() }}) as report_periods
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
