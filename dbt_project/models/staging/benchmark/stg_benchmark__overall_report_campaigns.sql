{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

campaign_fields as (

    {{ staging_source(
        source('benchmark', 'report_overall__campaign_comparison'),
        benchmark__report_overall__campaign_comparison_columns(),
    ) }}

),

renamed as (

    -- dlt child table of report_overall: the snapshot is found through _dlt_parent_id
    select
        -- ids
        _dlt_parent_id as snapshot_id,
        nullif(trim(_id), '') as campaign_id,

        -- strings
        nullif(trim(name), '') as campaign_name,

        -- numbers
        cast(rates__opens as {{ dbt.type_float() }}) as open_rate,
        cast(rates__clicks as {{ dbt.type_float() }}) as click_rate,
        cast(_dlt_list_idx as {{ dbt.type_int() }}) as comparison_index,

        -- timestamps
        {{ rfc3339_to_timestamp('scheduled_at') }} as scheduled_at,

        -- metadata
        _dlt_id as dlt_id

    from campaign_fields

)

select * from renamed
