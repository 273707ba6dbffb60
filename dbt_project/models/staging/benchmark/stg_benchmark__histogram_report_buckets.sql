{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

bucket_fields as (

    {{ staging_source(
        source('benchmark', 'report_histogram__histogram'),
        benchmark__histogram_bucket_columns(['detail__hard', 'detail__soft']),
    ) }}

),

renamed as (

    -- dlt child table of report_histogram: the snapshot is found through _dlt_parent_id
    select
        -- ids
        _dlt_parent_id as snapshot_id,

        -- numbers
        cast(total as {{ dbt.type_bigint() }}) as event_count,
        cast(detail__hard as {{ dbt.type_bigint() }}) as hard_bounce_count,
        cast(detail__soft as {{ dbt.type_bigint() }}) as soft_bounce_count,
        cast(_dlt_list_idx as {{ dbt.type_int() }}) as bucket_index,

        -- timestamps
        {{ rfc3339_to_timestamp(adapter.quote('date')) }} as bucket_start_at,

        -- metadata
        _dlt_id as dlt_id

    from bucket_fields

)

select * from renamed
