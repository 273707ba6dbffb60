{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

bucket_fields as (

    {{ staging_source(
        source('benchmark', 'report_engagement__histogram'),
        benchmark__histogram_bucket_columns(['detail__unique_opens', 'detail__unique_clicks']),
    ) }}

),

renamed as (

    -- dlt child table of report_engagement: the snapshot is found through _dlt_parent_id
    select
        -- ids
        _dlt_parent_id as snapshot_id,

        -- numbers
        cast(total as {{ dbt.type_bigint() }}) as engagement_count,
        cast(detail__unique_opens as {{ dbt.type_bigint() }}) as unique_open_count,
        cast(detail__unique_clicks as {{ dbt.type_bigint() }}) as unique_click_count,
        cast(_dlt_list_idx as {{ dbt.type_int() }}) as bucket_index,

        -- timestamps
        {{ rfc3339_to_timestamp(adapter.quote('date')) }} as bucket_start_at,

        -- metadata
        _dlt_id as dlt_id

    from bucket_fields

)

select * from renamed
