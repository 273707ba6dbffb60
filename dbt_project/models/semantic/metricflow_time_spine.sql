{#-
    One row per calendar day from 2020-01-01 to 2039-12-31: the day time spine MetricFlow joins
    for cumulative metrics and period-over-period offsets (models/semantic, docs/SEMANTIC_LAYER.md).
    Plain SQL and dbt's cross-database macros (no package), so it builds on DuckDB and PostgreSQL.
-#}

{{ config(materialized='table', schema='semantic') }}

with

numbers as (

    -- 0 .. 9999
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as n
    from
        (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ones (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as tens (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as hundreds (digit)
        cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as thousands (digit)

),

days as (

    select
        cast({{ dbt.dateadd('day', 'n', "cast('2020-01-01' as date)") }} as date) as date_day
    from numbers

),

final as (

    select date_day
    from days
    where date_day < cast('2040-01-01' as date)

)

select * from final
