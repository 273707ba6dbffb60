{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

link_fields as (

    {{ staging_source(
        source('benchmark', 'report_campaign__link_activity'),
        benchmark__report_campaign__link_activity_columns(),
    ) }}

),

renamed as (

    -- dlt child table of report_campaign: the snapshot is found through _dlt_parent_id
    select
        -- ids
        _dlt_parent_id as snapshot_id,
        nullif(trim(id), '') as link_id,

        -- strings
        nullif(trim(path), '') as link_url,

        -- numbers
        cast(clicks__total as {{ dbt.type_bigint() }}) as click_count,
        cast(clicks__unique as {{ dbt.type_bigint() }}) as unique_click_count,
        cast(_dlt_list_idx as {{ dbt.type_int() }}) as link_index,

        -- metadata
        _dlt_id as dlt_id

    from link_fields

)

select * from renamed
