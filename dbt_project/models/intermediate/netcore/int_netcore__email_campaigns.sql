{#-
    Netcore's campaigns in the conformed shape (macro conformed_columns('email_campaigns')): one
    row per account_id and xapiheader (campaign_id) of any message. Netcore has no campaign
    metadata: name (tags), subject and sender are those of the campaign's most recently
    requested message; no status, no scheduled send time, no split tests.
-#}

with

latest_messages as (

    -- per campaign: its most recently requested message's tags, subject and sender (an
    -- incremental aggregate of the messages)
    select * from {{ ref('int_netcore__campaign_attributes') }}

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
        cast(0 as {{ dbt.type_bigint() }}) as split_count,
        false as has_variations,
        -- no campaign metadata: no section, no status, and no scheduled send time (the API gives
        -- none, and a campaign's first request may be dropped, never sent)
        {{ conformed_nulls(
            'email_campaigns', ['section', 'campaign_status', 'scheduled_sent_at'],
        ) }}

    from latest_messages

)

select * from conformed
