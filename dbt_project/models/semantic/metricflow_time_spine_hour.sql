{#-
    One row per hour from 2020-01-01 00:00 to 2039-12-31 23:00 (naive, like every time of the
    marts): the hour time spine MetricFlow joins for hour-grain offsets of the hourly metrics.
    Built from the day spine, cross-database.
-#}

{{ config(materialized='table', schema='semantic') }}

with

days as (

    select * from {{ ref('metricflow_time_spine') }}

),

hours as (

    select ones.digit + 10 * tens.digit as hour_of_day
    from
        (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ones (digit)
        cross join (values (0), (1), (2)) as tens (digit)
    where ones.digit + 10 * tens.digit < 24

),

final as (

    select
        {{ dbt.dateadd(
            'hour', 'hours.hour_of_day', 'cast(days.date_day as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as date_hour
    from days
    cross join hours

)

select * from final
