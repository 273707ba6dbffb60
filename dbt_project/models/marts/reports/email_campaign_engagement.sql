{#-
    One row per provider, account_id, campaign_id, period and bucket: the campaign's pairs whose
    FIRST open / FIRST click falls in the bucket (Benchmark's `GET /api/reports/email/{id}/engagement`,
    for every provider; CONTRACTS.md section 9), and those whose first human open / click (not
    flagged as a machine's, issue 16) does; `total` and `is_peak` stay on every open and click.
    Campaigns with a sent pair; periods from the bucket of the reporting time zone holding the
    campaign's first send (the earliest `first_sent_at` of its pairs): `24hours` = 24 local clock
    hours, `week` = 7 and `month` = 30 local calendar days (a DST day has 23 or 25 hours); every
    bucket listed (zeros too).
    Independent of `report_as_of`: every event in the warehouse counts. `is_peak`: the first
    bucket with the highest total.
-#}

with

hourly as (

    -- the pairs' first events per campaign and local hour (exact earliest time kept): buckets
    -- are local hours and days, so the hourly counts add up to them
    select * from {{ ref('int_email_report_first_events__hourly') }}

),

campaigns as (

    select
        provider,
        account_id,
        campaign_id,
        min(first_event_at) as first_sent_at
    from hourly
    where event_type = 'email-sent'
    group by
        provider,
        account_id,
        campaign_id

),

periods as (

    select * from (
        values
            ('24hours', 1, 24, 'hour'),
            ('week', 2, 7, 'day'),
            ('month', 3, 30, 'day')
    ) as periods (period, period_order, bucket_count, bucket_unit)

),

numbers as (

    {{ integer_series(100) }}

),

windows as (

    select
        campaigns.provider,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.first_sent_at,
        periods.period,
        periods.period_order,
        periods.bucket_count,
        periods.bucket_unit,
        campaigns.first_sent_at as window_start
    from campaigns
    cross join periods

),

buckets as (

    {{ report_buckets(
        'windows', 'numbers',
        ['provider', 'account_id', 'campaign_id', 'first_sent_at', 'period', 'period_order', 'bucket_unit'],
        counted=true
    ) }}

),

first_events as (

    select
        provider,
        account_id,
        campaign_id,
        event_type,
        pair_count,
        event_hour_start_utc as hour_bucket_start_utc,
        {{ local_day_start_utc('event_hour_start_utc', reporting_timezone()) }} as day_bucket_start_utc
    from hourly
    where event_type in ('first-email-opened', 'first-email-clicked', 'first-human-opened', 'first-human-clicked')

),

-- a first open / click counts in the bucket holding it; one outside the period's buckets matches none
counted as (

    {{ report_engagement_counts('first_events', 'periods') }}

),

joined as (

    select
        buckets.provider,
        buckets.account_id,
        buckets.campaign_id,
        buckets.first_sent_at,
        buckets.period,
        buckets.period_order,
        buckets.bucket_index,
        buckets.bucket_start_utc,
        buckets.bucket_end_utc,
        buckets.bucket_start_local,
        coalesce(counted.unique_open_count, 0) as unique_open_count,
        coalesce(counted.unique_click_count, 0) as unique_click_count,
        coalesce(counted.human_unique_open_count, 0) as human_unique_open_count,
        coalesce(counted.human_unique_click_count, 0) as human_unique_click_count,
        coalesce(counted.unique_open_count, 0) + coalesce(counted.unique_click_count, 0) as total
    from buckets
    left join counted
        on counted.provider = buckets.provider
        and counted.account_id is not distinct from buckets.account_id
        and counted.campaign_id = buckets.campaign_id
        and counted.period = buckets.period
        and counted.bucket_start_utc = buckets.bucket_start_utc

),

final as (

    select
        joined.*,
        row_number() over (
            partition by provider, account_id, campaign_id, period
            order by total desc, bucket_start_utc
        ) = 1 as is_peak
    from joined

)

select * from final
