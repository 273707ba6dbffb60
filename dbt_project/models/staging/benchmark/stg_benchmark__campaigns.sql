with

fields as (

    {{ staging_source(
        source('benchmark', 'campaigns'),
        benchmark__campaigns_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        nullif(trim(_id), '') as campaign_id,

        -- strings
        nullif(trim(name), '') as campaign_name,
        nullif(trim(subject), '') as subject,
        lower(nullif(trim({{ adapter.quote('from') }}), '')) as sender_address,
        nullif(trim(preview_text), '') as preview_text,
        lower(nullif(trim(status), '')) as campaign_status,
        nullif(trim(sub_status), '') as campaign_sub_status,

        -- numbers: Benchmark's own counts on the campaign record (absent for drafts)
        cast(total_recipients as {{ dbt.type_bigint() }}) as recipient_count,
        cast(sent_count as {{ dbt.type_bigint() }}) as sent_count,
        cast(failed_count as {{ dbt.type_bigint() }}) as failed_count,
        cast(stats__sent as {{ dbt.type_bigint() }}) as stats_sent_count,
        cast(stats__delivered as {{ dbt.type_bigint() }}) as stats_delivered_count,
        cast(stats__opens__unique as {{ dbt.type_bigint() }}) as stats_unique_open_count,
        cast(stats__opens__rate as {{ dbt.type_float() }}) as stats_open_rate,
        cast(stats__clicks__unique as {{ dbt.type_bigint() }}) as stats_unique_click_count,
        cast(stats__clicks__rate as {{ dbt.type_float() }}) as stats_click_rate,

        -- timestamps
        {{ rfc3339_to_timestamp('created_at') }} as created_at,
        {{ rfc3339_to_timestamp('updated_at') }} as updated_at,
        {{ rfc3339_to_timestamp('scheduled_at') }} as scheduled_at,
        {{ rfc3339_to_timestamp('cancelled_at') }} as cancelled_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
