{#-
    One row per provider, account_id, past_days (1..90) and bucket, for the providers with contact
    data (Benchmark): the contacts created in the bucket and in the period (CONTRACTS.md 9),
    the `contact.histogram` of Benchmark's `GET /api/reports/dashboard` (CONTRACTS.md 10.1).
    Buckets as email_histogram's: local clock hours (past_days = 1) or local calendar days of the
    reporting time zone, every one of the window listed (zeros too), the first may start before
    the period; `is_peak` marks the first bucket with the highest total.
-#}

with

contacts as (

    select * from {{ ref('int_email_contacts__unioned') }}

),

campaigns as (

    select * from {{ ref('int_email_report_first_events__hourly') }}
    where event_type = 'any-pair'

),

accounts as (

    -- every account of a provider with contact data, with or without contacts (an empty list
    -- lists every bucket at 0)
    select provider, account_id from contacts

    union

    select provider, account_id from campaigns
    where {{ is_contact_data_provider('provider') }}

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

created as (

    select
        contacts.*,
        {{ report_local_bucket_starts('contacts.created_at') }}
    from contacts

),

counted as (

    select
        created.provider,
        created.account_id,
        periods.past_days,
        {{ report_bucket_start('created') }} as bucket_start_utc,
        count(*) as total
    from created
    inner join periods
        on created.created_at >= periods.period_start
        and created.created_at < periods.period_end
    group by
        created.provider,
        created.account_id,
        periods.past_days,
        {{ report_bucket_start('created') }}

),

grid as (

    select
        accounts.provider,
        accounts.account_id,
        buckets.past_days,
        buckets.period_start as period_start_at,
        buckets.period_end as period_end_at,
        buckets.bucket_index,
        buckets.bucket_start_utc,
        buckets.bucket_end_utc,
        buckets.bucket_start_local,
        coalesce(counted.total, 0) as total
    from accounts
    cross join buckets
    left join counted
        on counted.provider = accounts.provider
        and counted.account_id is not distinct from accounts.account_id
        and counted.past_days = buckets.past_days
        and counted.bucket_start_utc = buckets.bucket_start_utc

),

final as (

    select
        grid.*,
        row_number() over (
            partition by provider, account_id, past_days
            order by total desc, bucket_start_utc
        ) = 1 as is_peak
    from grid

)

select * from final
