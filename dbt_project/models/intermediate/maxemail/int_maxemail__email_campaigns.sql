{#-
    Maxemail's messages in the conformed campaign shape (macro
    conformed_columns('email_campaigns')): one row per account_id and email id (campaign_id) with
    `email_campaign.find` metadata or a send, in any of the four services (message_type). No
    split tests.
-#}

with

campaigns as (

    select * from {{ ref('stg_maxemail__campaigns') }}

),

sends as (

    -- per email id: the smallest message type of its sends (an incremental aggregate)
    select * from {{ ref('int_maxemail__campaign_sends') }}

),

known_ids as (

    -- every message with `find` metadata or a send (the loader calls `find` for each message id
    -- an export mentions, so the sends only matter until that call has run)
    select account_id, email_id, message_type from campaigns

    union all

    select account_id, email_id, message_type from sends

),

campaign_ids as (

    select
        account_id,
        email_id,
        min(message_type) as message_type

    from known_ids
    group by account_id, email_id

),

conformed as (

    select
        'maxemail' as provider,
        campaign_ids.account_id,
        cast(campaign_ids.email_id as {{ dbt.type_string() }}) as campaign_id,
        coalesce(campaigns.message_type, campaign_ids.message_type) as message_type,
        campaigns.campaign_name,
        campaigns.subject,
        campaigns.sender_name,
        campaigns.campaign_status,
        -- when sending started, else when it is scheduled to
        coalesce(campaigns.started_at, campaigns.scheduled_at) as scheduled_sent_at,
        cast(0 as {{ dbt.type_bigint() }}) as split_count,
        false as has_variations,
        -- no sections
        {{ conformed_nulls('email_campaigns', ['section']) }}

    from campaign_ids
    left join campaigns
        on campaign_ids.account_id = campaigns.account_id
        and campaign_ids.email_id = campaigns.email_id

)

select * from conformed
