with

{{ dlt_load_times_cte(source('apsis_one', 'email_events')) }},

fields as (

    -- Expected raw columns only: attribute/tag columns vary per export and are not read.
    {{ staging_source(
        source('apsis_one', 'email_events'),
        apsis_one__email_events_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        nullif(trim(activity_id), '') as campaign_id,
        nullif(trim(split_id), '') as split_id,
        nullif(trim(correlation_id), '') as correlation_id,
        nullif(trim(link_id), '') as link_id,
        nullif(trim(_export_report_id), '') as export_report_id,

        -- strings
        nullif(trim(activity_name), '') as campaign_name,
        nullif(trim(split_activity_name), '') as split_name,
        nullif(trim(sender), '') as sender_name,
        nullif(trim(subject), '') as subject,
        lower(nullif(trim(address), '')) as email_address,
        nullif(trim(variation), '') as variation,
        upper(nullif(trim(type), '')) as raw_event_type,
        nullif(trim(device), '') as device_raw,
        nullif(trim(location), '') as location,
        nullif(trim(link_url), '') as link_url,
        nullif(trim(link_title), '') as link_title,
        nullif(trim(unsubscribe_topic), '') as unsubscribe_topic,
        nullif(trim(abuse_section), '') as abuse_section,

        -- numbers
        {{ dbt.safe_cast("nullif(trim(bounce_code), '')", dbt.type_int()) }} as bounce_code,
        cast(event_time as {{ dbt.type_bigint() }}) as event_time_ms,
        cast(server_time as {{ dbt.type_bigint() }}) as server_time_ms,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

),

normalized as (

    select
        renamed.*,

        -- event_time is 0 when the source did not send one and falls in 1970 when it sent
        -- seconds as 0: only times from 1971-01-01 (31536000000 ms) on are real.
        {{ epoch_ms_to_timestamp(
            'case when event_time_ms >= 31536000000 then event_time_ms else server_time_ms end'
        ) }} as occurred_at,
        {{ epoch_ms_to_timestamp('server_time_ms') }} as received_at,
        -- the load's time, from load_times (macros/staging/dlt_load_times.sql)
        load_times.loaded_at,

        -- device "may be extended with suffixes": classify on the documented prefix
        case
            when device_raw is null then null
            when upper(device_raw) like 'TABLET%' then 'tablet'
            when upper(device_raw) like 'MOBILE%' then 'mobile'
            when upper(device_raw) like 'DESKTOP%' then 'desktop'
            when upper(device_raw) like 'SMART_TV%' then 'smart_tv'
            when upper(device_raw) like 'UNKNOWN%' then 'unknown'
            else 'other'
        end as device,

        -- location is ISO 3166-1 alpha-2, "may be extended with suffix"
        upper(left(location, 2)) as country

    from renamed
    left join load_times
        on renamed.dlt_load_id = load_times.load_id

)

select * from normalized
