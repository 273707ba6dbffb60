{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

fields as (

    {{ staging_source(
        source('benchmark', 'report_histogram'),
        benchmark__report_histogram_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        _dlt_id as snapshot_id,
        nullif(trim(_account_id), '') as account_id,

        -- parameters
        cast(past_days as {{ dbt.type_int() }}) as past_days,
        lower(nullif(trim(event_type), '')) as event_type,
        nullif(trim(timezone), '') as report_timezone,

        -- numbers
        cast(peak__total as {{ dbt.type_bigint() }}) as peak_count,

        -- timestamps
        {{ rfc3339_to_timestamp(adapter.quote('start')) }} as histogram_start_at,
        {{ rfc3339_to_timestamp(adapter.quote('end')) }} as histogram_end_at,
        {{ rfc3339_to_timestamp('peak__start_date') }} as peak_start_at,
        {{ rfc3339_to_timestamp('peak__end_date') }} as peak_end_at,
        {{ rfc3339_to_timestamp('_taken_at') }} as taken_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
