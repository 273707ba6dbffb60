with

fields as (

    {{ staging_source(
        source('maxemail', 'unsubscribed'),
        maxemail__unsubscribed_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,
        cast(email_id as {{ dbt.type_bigint() }}) as email_id,
        nullif(trim(_export_key), '') as export_key,

        -- strings
        nullif(trim(_message_type), '') as message_type,
        nullif(trim(_service), '') as service,
        lower(nullif(trim(email_address), '')) as email_address,
        lower(nullif(trim(unsubscribe_type), '')) as unsubscribe_type,

        -- timestamps
        {{ timestamptz_to_utc('unsubscribe_timestamp') }} as unsubscribed_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

),

typed as (

    -- type `feedback` is a spam complaint through an ISP feedback loop, not an opt-out the
    -- recipient asked for: it gets its own raw type, which the event-type map calls `complained`
    select
        *,
        case
            when unsubscribe_type = 'feedback' then 'unsubscribed_feedback'
            else 'unsubscribed'
        end as raw_event_type

    from renamed

)

select * from typed
