{#-
    Shared parts of the report aggregates (models/intermediate/reports, DECISIONLOG.md "Report
    marts from hourly per-campaign aggregates"): the campaign key they are replaced on, and the
    pairs of fct_email_deliveries an incremental run recomputes.
-#}

{#- The non-null key of a campaign (account_id may be null): the aggregates' unique_key. -#}
{% macro report_campaign_key(prefix='') -%}
    {{ email_event_id([prefix ~ 'provider', prefix ~ 'account_id', prefix ~ 'campaign_id']) }}
{%- endmacro %}


{#-
    The pairs of `deliveries` (fct_email_deliveries) an incremental aggregate run counts: every
    pair of each campaign holding a pair loaded (`last_loaded_at`) within `event_lookback_hours`
    of its provider's newest `last_loaded_at` already in the aggregate (macro
    loaded_within_lookback_pruned, so the row groups of deliveries unchanged since are skipped),
    so a campaign's rows are recomputed from all of its pairs and replace the old ones
    (delete+insert on campaign_key). A full build reads the deliveries themselves
    (report_pairs_relation).
-#}
{% macro report_changed_campaign_pairs(deliveries) -%}
    {{ rows_of_changed_keys(
        deliveries,
        'select distinct provider, account_id, campaign_id from ('
            ~ loaded_within_lookback_pruned(
                '(select provider, account_id, campaign_id, last_loaded_at as loaded_at from '
                    ~ deliveries ~ ')',
                'last_loaded_at',
            )
            ~ ') as recent',
        ['campaign_id'],
    ) }}
{%- endmacro %}


{#-
    The pairs an hourly aggregate model counts (int_email_report_first_events__hourly,
    int_email_report_cohorts__hourly): `report_pairs_relation()` is `changed_pairs` on an
    incremental run, fct_email_deliveries itself on a full build, where each branch reads it
    (a CTE read several times would be stored whole by DuckDB: every column of every pair);
    `report_changed_pairs_cte()` writes the `changed_pairs` CTE (report_changed_campaign_pairs)
    when the run is incremental, nothing otherwise.
-#}
{% macro report_pairs_relation() -%}
    {{ return('changed_pairs' if is_incremental() else ref('fct_email_deliveries')) }}
{%- endmacro %}


{% macro report_changed_pairs_cte() -%}
    {%- if is_incremental() %}
changed_pairs as (

    {{ report_changed_campaign_pairs(ref('fct_email_deliveries')) }}

),
    {%- endif %}
{%- endmacro %}


{#- The sum of `relation`.`column` over the rows meeting `condition`, 0 when none, a bigint. -#}
{% macro report_sum_pairs(condition, relation, column='pair_count') -%}
    cast(coalesce(sum(case when {{ condition }} then {{ relation }}.{{ column }} end), 0) as {{ dbt.type_bigint() }})
{%- endmacro %}


{#-
    report_period_counts (report_metrics.sql) for calendar periods, from the hourly aggregates:
    the same columns, one row per account (an `any-pair` row of `first_events`) and past_days.
    Calendar periods start and end on local hour starts, so a first time is in a period exactly
    when its hour is (CONTRACTS.md 9). `first_events` = int_email_report_first_events__hourly,
    `cohorts` = int_email_report_cohorts__hourly.
-#}
{% macro report_period_counts_hourly(first_events, cohorts) -%}
    {%- set kinds = [
        ('sent', "event_type = 'email-sent'"),
        ('delivered', "event_type = 'email-delivered'"),
        ('unique_open', "event_type = 'first-email-opened'"),
        ('unique_click', "event_type = 'first-email-clicked'"),
        ('bounce', "event_type = 'email-bounced' and events.bounce_class in ('hard', 'soft')"),
        ('hard_bounce', "event_type = 'email-bounced' and events.bounce_class = 'hard'"),
        ('soft_bounce', "event_type = 'email-bounced' and events.bounce_class = 'soft'"),
        ('complaint', "event_type = 'first-email-complaint'"),
        ('unsubscribe', "event_type = 'first-contact-unsubscribed'"),
        ('human_unique_open', "event_type = 'first-human-opened'"),
        ('human_unique_click', "event_type = 'first-human-clicked'"),
    ] -%}
    {%- set cohorts_counted = [
        ('delivered_open', "cohort = 'delivered_open'"),
        ('delivered_click', "cohort = 'delivered_click'"),
        ('delivered_human_open', "cohort = 'delivered_human_open'"),
        ('delivered_human_click', "cohort = 'delivered_human_click'"),
        ('sent_bounce', "cohort = 'sent_bounce'"),
        ('sent_hard_bounce', "cohort = 'sent_bounce' and pairs.bounce_class = 'hard'"),
        ('sent_soft_bounce', "cohort = 'sent_bounce' and pairs.bounce_class = 'soft'"),
    ] -%}
    {%- set columns = ['provider', 'account_id', 'past_days', 'as_of', 'period_start', 'period_end', 'previous_start'] -%}
    select
        counted.*,
        {%- for name, condition in cohorts_counted %}
        cohorts.{{ name }}_count,
        cohorts.previous_{{ name }}_count{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            {%- for column in columns %}
            periods.{{ column }},
            {%- endfor %}
            {%- for kind, condition in kinds %}
            {{ report_sum_pairs('events.' ~ condition ~ ' and events.event_hour_start_utc >= periods.period_start', 'events') }} as {{ kind }}_count,
            {{ report_sum_pairs('events.' ~ condition ~ ' and events.event_hour_start_utc < periods.period_start', 'events') }} as previous_{{ kind }}_count{{ ',' if not loop.last }}
            {%- endfor %}
        from ({{ _report_hourly_period_rows(first_events) }}) as periods
        left join ({{ _report_account_hours(first_events) }}) as events
            on events.bucket_unit = periods.bucket_unit
            and events.provider = periods.provider
            and events.account_id is not distinct from periods.account_id
            and events.event_hour_start_utc >= periods.previous_start
            and events.event_hour_start_utc < periods.period_end
        group by
            {%- for column in columns %}
            periods.{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
    ) as counted
    inner join (
        select
            periods.provider,
            periods.account_id,
            periods.past_days,
            {%- for name, condition in cohorts_counted %}
            {{ report_sum_pairs(
                'pairs.' ~ condition ~ ' and pairs.cohort_hour_start_utc >= periods.period_start'
                ~ ' and pairs.outcome_hour_start_utc < periods.period_end', 'pairs'
            ) }} as {{ name }}_count,
            {{ report_sum_pairs(
                'pairs.' ~ condition ~ ' and pairs.cohort_hour_start_utc < periods.period_start'
                ~ ' and pairs.outcome_hour_start_utc < periods.period_start', 'pairs'
            ) }} as previous_{{ name }}_count{{ ',' if not loop.last }}
            {%- endfor %}
        from ({{ _report_hourly_period_rows(first_events) }}) as periods
        left join ({{ _report_account_cohort_hours(cohorts) }}) as pairs
            on pairs.bucket_unit = periods.bucket_unit
            and pairs.provider = periods.provider
            and pairs.account_id is not distinct from periods.account_id
            and pairs.cohort_hour_start_utc >= periods.previous_start
            and pairs.cohort_hour_start_utc < periods.period_end
        group by
            periods.provider,
            periods.account_id,
            periods.past_days
    ) as cohorts
        on cohorts.provider = counted.provider
        and cohorts.account_id is not distinct from counted.account_id
        and cohorts.past_days = counted.past_days
{%- endmacro %}


{#-
    The hourly aggregates summed over an account's campaigns, for report_period_counts_hourly:
    by local day (`bucket_unit` 'day': the periods of past_days >= 2 start and end on local
    midnights, so a day is inside or outside each whole) and by hour for the last 48 hours only
    (`bucket_unit` 'hour': past_days = 1 and its previous period). A period joins the rows of its
    unit: a 90-day period reads ~180 day rows per kind, not one row per campaign and hour.
-#}
{% macro _report_account_hours(first_events) -%}
    {%- for unit in ['day', 'hour'] %}
    select
        provider, account_id, event_type, bounce_class, '{{ unit }}' as bucket_unit,
        {{ _report_unit_start(unit, 'event_hour_start_utc') }} as event_hour_start_utc,
        sum(pair_count) as pair_count
    from {{ first_events }}
    where event_type <> 'any-pair'
        {%- if unit == 'hour' %}
        and event_hour_start_utc >= {{ _report_last_48_hours() }}
        {%- endif %}
    group by provider, account_id, event_type, bounce_class, {{ _report_unit_start(unit, 'event_hour_start_utc') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro _report_account_cohort_hours(cohorts) -%}
    {%- for unit in ['day', 'hour'] %}
    select
        provider, account_id, cohort, bounce_class, '{{ unit }}' as bucket_unit,
        {{ _report_unit_start(unit, 'cohort_hour_start_utc') }} as cohort_hour_start_utc,
        {{ _report_unit_start(unit, 'outcome_hour_start_utc') }} as outcome_hour_start_utc,
        sum(pair_count) as pair_count
    from {{ cohorts }}
    {%- if unit == 'hour' %}
    where cohort_hour_start_utc >= {{ _report_last_48_hours() }}
    {%- endif %}
    group by
        provider, account_id, cohort, bounce_class,
        {{ _report_unit_start(unit, 'cohort_hour_start_utc') }},
        {{ _report_unit_start(unit, 'outcome_hour_start_utc') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The local day's UTC start of an hour start (unit 'day'), or the hour itself ('hour'). -#}
{% macro _report_unit_start(unit, hour_start) -%}
    {%- if unit == 'day' -%}
    {{ local_day_start_utc(hour_start, reporting_timezone()) }}
    {%- else -%}
    {{ hour_start }}
    {%- endif -%}
{%- endmacro %}

{#- previous_start of past_days = 1 (calendar): 48 hours before the local hour of as_of. -#}
{% macro _report_last_48_hours() -%}
    {{ dbt.dateadd('hour', -48, local_hour_start_utc(report_as_of(), reporting_timezone())) }}
{%- endmacro %}


{#- Every account of the hourly aggregate `first_events` x report_periods(). -#}
{% macro _report_hourly_period_rows(first_events) -%}
    select
        accounts.provider,
        accounts.account_id,
        report_periods.*
    from (select distinct provider, account_id from {{ first_events }} where event_type = 'any-pair') as accounts
    cross join ({{ report_periods() }}) as report_periods
{%- endmacro %}


{#-
    The histogram events (email_histogram, calendar periods) from the hourly aggregates, in the
    columns of report_first_events with `event_at` = the hour's UTC start standing for the times
    in it and `event_count` the events (pairs) behind the row: the pairs' first unsubscribes,
    complaints, opens and clicks and the derived deliveries of `sent_not_bounced` providers from
    `first_events`, every send, delivery and bounce from `every_events` since `since` (SQL).
-#}
{% macro report_histogram_events_hourly(first_events, every_events, providers, since) -%}
    select
        provider, account_id, event_type, event_hour_start_utc as event_at, bounce_class,
        sum(pair_count) as event_count
    from {{ first_events }}
    where event_type in ('first-contact-unsubscribed', 'first-email-complaint', 'first-email-opened', 'first-email-clicked')
        or (
            event_type = 'email-delivered'
            and provider in (select provider from {{ providers }} where delivered_rule = 'sent_not_bounced')
        )
    group by provider, account_id, event_type, event_hour_start_utc, bounce_class

    union all

    select
        provider, account_id, event_type, event_hour_start_utc as event_at, bounce_class, event_count
    from {{ every_events }}
    where event_hour_start_utc >= {{ since }}
{%- endmacro %}


{#-
    The UTC start of the quarter hour (a UTC :00, :15, :30 or :45) holding a naive UTC timestamp.
    Every zone offset in use is a whole number of quarter hours, so a local clock hour never
    starts inside a UTC quarter hour: local_hour_start_utc of the quarter hour's start is that of
    every time in it. The aggregates count rows per quarter hour first (a cheap group by) and
    convert only those starts to the local hour (two time-zone conversions per row were most of
    their full build, DECISIONLOG.md "The report part at 10M").
-#}
{% macro report_quarter_hour_start(utc_timestamp) -%}
    {{ dbt.dateadd(
        'minute',
        integer_divide('extract(minute from ' ~ utc_timestamp ~ ')', 15) ~ ' * 15',
        "date_trunc('hour', " ~ utc_timestamp ~ ")"
    ) }}
{%- endmacro %}


{#- The local hour (UTC start) of a quarter-hour start (report_quarter_hour_start). -#}
{% macro report_local_hour_of_quarter(quarter_start) -%}
    {{ local_hour_start_utc(quarter_start, reporting_timezone()) }}
{%- endmacro %}
