with

fields as (

    {{ staging_source(
        source('maxemail', 'campaigns'),
        maxemail__campaigns_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        cast(email_id as {{ dbt.type_bigint() }}) as email_id,
        nullif(trim(cast(campaign_id as {{ dbt.type_string() }})), '') as parent_campaign_id,

        -- strings
        nullif(trim(_message_type), '') as message_type,
        nullif(trim(name), '') as campaign_name,
        nullif(trim(description), '') as description,
        nullif(trim(subject_line), '') as subject,
        nullif(trim(from_address), '') as sender_address,
        nullif(trim(from_address_alias), '') as sender_name,
        nullif(trim(reply_to), '') as reply_to_address,
        nullif(trim(reply_to_alias), '') as reply_to_name,
        lower(nullif(trim(status), '')) as campaign_status,

        -- numbers: the provider's own totals, as `find` reports them
        cast(list_total as {{ dbt.type_bigint() }}) as list_count,
        cast(total_sent as {{ dbt.type_bigint() }}) as sent_count,
        cast(total_opens as {{ dbt.type_bigint() }}) as open_count,
        cast(total_unique_opens as {{ dbt.type_bigint() }}) as unique_open_count,
        cast(total_clickthrus as {{ dbt.type_bigint() }}) as click_count,
        cast(total_unique_clickthrus as {{ dbt.type_bigint() }}) as unique_click_count,
        cast(total_responses as {{ dbt.type_bigint() }}) as response_count,
        cast(total_bounces_hard as {{ dbt.type_bigint() }}) as hard_bounce_count,
        cast(total_bounces_soft as {{ dbt.type_bigint() }}) as soft_bounce_count,
        cast(total_unsubscribes_global as {{ dbt.type_bigint() }}) as global_unsubscribe_count,
        cast(total_unsubscribes_local as {{ dbt.type_bigint() }}) as local_unsubscribe_count,
        cast(total_unsubscribes_feedback as {{ dbt.type_bigint() }}) as feedback_unsubscribe_count,

        -- timestamps
        {{ timestamptz_to_utc('start_ts') }} as started_at,
        {{ timestamptz_to_utc('finish_ts') }} as finished_at,
        {{ timestamptz_to_utc('update_ts') }} as updated_at,
        {{ timestamptz_to_utc('scheduled_ts') }} as scheduled_at,
        {{ timestamptz_to_utc('_fetched_at') }} as fetched_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
