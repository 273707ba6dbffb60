{#-
    One row per provider, account_id, past_days (1..90) and slot (morning 04-10, afternoon 10-16,
    evening 16-22, night 22-04, by the local hour in the reporting time zone of the first
    delivery): the open rate of the pairs first delivered in the period (CONTRACTS.md 9) in
    that slot (Benchmark's `deliveryTimeStats`). A pair counts as opened when its first open is
    before the period end (so the rate is bounded by 100).
-#}

with

deliveries as (

    select * from {{ ref('fct_email_deliveries') }}

),

accounts as (

    {%- if report_period_alignment() == 'calendar' %}
    select distinct provider, account_id from {{ ref('int_email_report_first_events__hourly') }}
    where event_type = 'any-pair'
    {%- else %}
    select distinct provider, account_id from deliveries
    {%- endif %}

),

periods as (

    {{ report_periods() }}

),

slots as (

    select * from (
        values
            ('morning', 1, 4, 10),
            ('afternoon', 2, 10, 16),
            ('evening', 3, 16, 22),
            ('night', 4, 22, 28)
    ) as slots (slot, slot_order, from_hour, to_hour)

),

delivered_pairs as (

    -- one row per delivered pair (`pair_count` 1), or per hour of the hourly aggregates: the hour
    -- start stands for the times in it (calendar periods start and end on local hours)
    select
        provider,
        account_id,
        first_delivered_at,
        first_opened_at,
        delivered_pair_count,
        opened_pair_count,
        cast(extract(hour from {{ utc_to_local('first_delivered_at', reporting_timezone()) }}) as {{ dbt.type_int() }}) as local_hour
    from ({{ report_delivery_time_pairs('deliveries') }}) as pairs
    where first_delivered_at is not null

),

slotted as (

    select
        delivered_pairs.*,
        -- night runs 22:00-04:00: hours 0-3 are 24-27
        case when local_hour < 4 then local_hour + 24 else local_hour end as slot_hour
    from delivered_pairs

),

counts as (

    select
        accounts.provider,
        accounts.account_id,
        periods.past_days,
        periods.period_end,
        periods.period_start,
        slots.slot,
        slots.slot_order,
        {{ report_sum_pairs('true', 'slotted', 'delivered_pair_count') }} as delivered_count,
        {{ report_sum_pairs('slotted.first_opened_at < periods.period_end', 'slotted', 'opened_pair_count') }} as unique_open_count
    from accounts
    cross join periods
    cross join slots
    left join slotted
        on slotted.provider = accounts.provider
        and slotted.account_id is not distinct from accounts.account_id
        and slotted.first_delivered_at >= periods.period_start
        and slotted.first_delivered_at < periods.period_end
        and slotted.slot_hour >= slots.from_hour
        and slotted.slot_hour < slots.to_hour
    group by
        accounts.provider,
        accounts.account_id,
        periods.past_days,
        periods.period_end,
        periods.period_start,
        slots.slot,
        slots.slot_order

),

final as (

    select
        provider,
        account_id,
        past_days,
        period_start as period_start_at,
        period_end as period_end_at,
        slot,
        slot_order,
        delivered_count,
        unique_open_count,
        {{ report_rate('unique_open_count', 'delivered_count') }} as open_rate
    from counts

)

select * from final
