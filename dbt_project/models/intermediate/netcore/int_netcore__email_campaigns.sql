{#-
    Netcore's campaigns in the conformed shape (macro conformed_columns('email_campaigns')): one
    row per account_id and xapiheader (campaign_id) of any message. Netcore has no campaign
    metadata: name (tags), subject and sender are those of the campaign's most recently
    requested message; no status, no scheduled send time, no split tests.
-#}

with

messages as (

    select * from {{ ref('stg_netcore__messages') }}
    where campaign_id is not null

),

latest_messages as (

    select
        account_id,
        campaign_id,
        campaign_name,
        subject,
        sender_address,
        row_number() over (
            partition by account_id, campaign_id
            order by requested_at desc, message_id desc
        ) as message_rank

    from messages

),

conformed as (

    select
        'netcore' as provider,
        account_id,
        campaign_id,
        'campaign' as message_type,
        campaign_name,
        subject,
        sender_address as sender_name,
        cast(null as {{ dbt.type_string() }}) as section,
        cast(null as {{ dbt.type_string() }}) as campaign_status,
        -- Netcore's API gives no scheduled send time (a first request may be dropped, never sent)
        cast(null as {{ dbt.type_timestamp() }}) as scheduled_sent_at,
        cast(0 as {{ dbt.type_bigint() }}) as split_count,
        false as has_variations

    from latest_messages
    where message_rank = 1

)

select * from conformed
