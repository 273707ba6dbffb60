{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

fields as (

    {{ staging_source(
        source('benchmark', 'report_overall'),
        benchmark__report_overall_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        _dlt_id as snapshot_id,
        nullif(trim(_account_id), '') as account_id,

        -- parameters
        cast(past_days as {{ dbt.type_int() }}) as past_days,
        nullif(trim(timezone), '') as report_timezone,

        -- numbers: each metric of the period, of the preceding period, and the % change
        {% for metric, has_rate in benchmark__overall_metrics() -%}
        cast(stats__{{ metric }}__count__value as {{ dbt.type_bigint() }}) as {{ metric }}_count,
        cast(stats__{{ metric }}__count__prev as {{ dbt.type_bigint() }}) as {{ metric }}_count_prev,
        cast(stats__{{ metric }}__count__diff as {{ dbt.type_float() }}) as {{ metric }}_count_diff,
        {% if has_rate -%}
        cast(stats__{{ metric }}__rate__value as {{ dbt.type_float() }}) as {{ metric }}_rate,
        cast(stats__{{ metric }}__rate__prev as {{ dbt.type_float() }}) as {{ metric }}_rate_prev,
        cast(stats__{{ metric }}__rate__diff as {{ dbt.type_float() }}) as {{ metric }}_rate_diff,
        {% endif -%}
        {% endfor %}
        -- numbers: open rate of mail delivered in each local time slot
        cast(delivery_time_stats__morning as {{ dbt.type_float() }}) as morning_open_rate,
        cast(delivery_time_stats__afternoon as {{ dbt.type_float() }}) as afternoon_open_rate,
        cast(delivery_time_stats__evening as {{ dbt.type_float() }}) as evening_open_rate,
        cast(delivery_time_stats__night as {{ dbt.type_float() }}) as night_open_rate,

        -- timestamps
        {{ rfc3339_to_timestamp('_taken_at') }} as taken_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
