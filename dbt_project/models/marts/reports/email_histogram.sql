{#-
    One row per provider, account_id, past_days (1..90), event_type and bucket (Benchmark's
    `GET /api/reports/email/overall/histogram`, for every provider; CONTRACTS.md section 9), as
    the OpenAPI's enum names them: the `first-…` types count the pairs whose FIRST event of the
    type falls in the bucket, `email-sent`, `email-delivered` and `email-bounced` count every such
    event (a bounce's hard/soft split by its own class). Only events inside the period count.
    Buckets are local clock hours (past_days = 1) or local calendar days of the reporting time
    zone, every one of the window listed (zeros too); `is_peak` marks the first bucket with the
    highest total. The events come from the hourly aggregates for calendar periods and from the
    facts for rolling ones (macro report_histogram_events).
-#}

with

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}

),

events as (

    select * from {{ ref('fct_email_events') }}

),

providers as (

    select * from {{ ref('email_providers') }}

),

accounts as (

    {{ report_histogram_accounts('deliveries') }}

),

event_types as (

    {{ report_histogram_event_types() }}

),

numbers as (

    {{ integer_series(100) }}

),

periods as (

    {{ report_histogram_windows() }}

),

buckets as (

    {{ report_buckets('periods', 'numbers', ['past_days', 'period_start', 'period_end']) }}

),

first_events as (

    select
        first_events.*,
        {{ report_local_bucket_starts('first_events.event_at') }}
    from ({{ report_histogram_events('events', 'deliveries', 'providers', 'periods') }}) as first_events

),

counted as (

    select
        first_events.provider,
        first_events.account_id,
        first_events.event_type,
        periods.past_days,
        {{ report_bucket_start('first_events') }} as bucket_start_utc,
        {{ report_sum_pairs('true', 'first_events', 'event_count') }} as total,
        {{ report_sum_pairs("first_events.bounce_class = 'hard'", 'first_events', 'event_count') }} as hard_bounce_count,
        {{ report_sum_pairs("first_events.bounce_class = 'soft'", 'first_events', 'event_count') }} as soft_bounce_count
    from first_events
    inner join periods
        on first_events.event_at >= periods.period_start
        and first_events.event_at < periods.period_end
    group by
        first_events.provider,
        first_events.account_id,
        first_events.event_type,
        periods.past_days,
        {{ report_bucket_start('first_events') }}

),

grid as (

    select
        accounts.provider,
        accounts.account_id,
        buckets.past_days,
        buckets.period_start as period_start_at,
        buckets.period_end as period_end_at,
        event_types.event_type,
        event_types.event_type_order,
        buckets.bucket_index,
        buckets.bucket_start_utc,
        buckets.bucket_end_utc,
        buckets.bucket_start_local,
        coalesce(counted.total, 0) as total,
        case
            when event_types.event_type = 'email-bounced' then coalesce(counted.hard_bounce_count, 0)
        end as hard_bounce_count,
        case
            when event_types.event_type = 'email-bounced' then coalesce(counted.soft_bounce_count, 0)
        end as soft_bounce_count
    from accounts
    cross join event_types
    cross join buckets
    left join counted
        on counted.provider = accounts.provider
        and counted.account_id is not distinct from accounts.account_id
        and counted.event_type = event_types.event_type
        and counted.past_days = buckets.past_days
        and counted.bucket_start_utc = buckets.bucket_start_utc

),

final as (

    select
        grid.*,
        row_number() over (
            partition by provider, account_id, past_days, event_type
            order by total desc, bucket_start_utc
        ) = 1 as is_peak
    from grid

)

select * from final
