{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

fields as (

    {{ staging_source(
        source('benchmark', 'report_dashboard'),
        benchmark__report_dashboard_columns(),
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

        -- numbers: campaigns of the period, and % change against the preceding period
        cast(campaign__sent__count as {{ dbt.type_bigint() }}) as sent_count,
        cast(campaign__sent__diff as {{ dbt.type_float() }}) as sent_count_diff,
        cast(campaign__delivered__count as {{ dbt.type_bigint() }}) as delivered_count,
        cast(campaign__delivered__diff as {{ dbt.type_float() }}) as delivered_count_diff,
        cast(campaign__unique_opens__count__value as {{ dbt.type_bigint() }}) as unique_open_count,
        cast(campaign__unique_opens__count__diff as {{ dbt.type_float() }}) as unique_open_count_diff,
        cast(campaign__unique_opens__rate__value as {{ dbt.type_float() }}) as open_rate,
        cast(campaign__unique_opens__rate__diff as {{ dbt.type_float() }}) as open_rate_diff,
        cast(campaign__unique_clicks__count__value as {{ dbt.type_bigint() }}) as unique_click_count,
        cast(campaign__unique_clicks__count__diff as {{ dbt.type_float() }}) as unique_click_count_diff,
        cast(campaign__unique_clicks__rate__value as {{ dbt.type_float() }}) as click_rate,
        cast(campaign__unique_clicks__rate__diff as {{ dbt.type_float() }}) as click_rate_diff,

        -- numbers: contacts
        cast(contact__count__value as {{ dbt.type_bigint() }}) as contact_count,
        cast(contact__count__diff as {{ dbt.type_float() }}) as contact_count_diff,
        cast(contact__histogram__peak__total as {{ dbt.type_bigint() }}) as contact_peak_count,

        -- timestamps
        {{ rfc3339_to_timestamp('contact__histogram__start') }} as contact_histogram_start_at,
        {{ rfc3339_to_timestamp('contact__histogram__end') }} as contact_histogram_end_at,
        {{ rfc3339_to_timestamp('contact__histogram__peak__date') }} as contact_peak_at,
        {{ rfc3339_to_timestamp('_taken_at') }} as taken_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
