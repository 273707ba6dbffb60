{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

fields as (

    {{ staging_source(
        source('benchmark', 'report_campaign'),
        benchmark__report_campaign_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        nullif(trim(campaign_id), '') as campaign_id,

        -- numbers: Benchmark's campaign report as of taken_at
        cast(stats__sent as {{ dbt.type_bigint() }}) as sent_count,
        cast(stats__delivered as {{ dbt.type_bigint() }}) as delivered_count,
        cast(stats__opens__unique as {{ dbt.type_bigint() }}) as unique_open_count,
        cast(stats__opens__rate as {{ dbt.type_float() }}) as open_rate,
        cast(stats__clicks__unique as {{ dbt.type_bigint() }}) as unique_click_count,
        cast(stats__clicks__rate as {{ dbt.type_float() }}) as click_rate,
        cast(stats__total_bounces__count as {{ dbt.type_bigint() }}) as bounce_count,
        cast(stats__total_bounces__rate as {{ dbt.type_float() }}) as bounce_rate,
        cast(stats__hard_bounces__count as {{ dbt.type_bigint() }}) as hard_bounce_count,
        cast(stats__hard_bounces__rate as {{ dbt.type_float() }}) as hard_bounce_rate,
        cast(stats__soft_bounces__count as {{ dbt.type_bigint() }}) as soft_bounce_count,
        cast(stats__soft_bounces__rate as {{ dbt.type_float() }}) as soft_bounce_rate,
        cast(stats__complaints as {{ dbt.type_bigint() }}) as complaint_count,
        cast(stats__unsubscribes as {{ dbt.type_bigint() }}) as unsubscribe_count,

        -- timestamps
        {{ rfc3339_to_timestamp('stats__opens__last') }} as last_opened_at,
        {{ rfc3339_to_timestamp('stats__clicks__last') }} as last_clicked_at,
        {{ rfc3339_to_timestamp('_taken_at') }} as taken_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_id as dlt_id,
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
