{#-
    Benchmark's campaigns in the conformed shape (macro conformed_columns('email_campaigns')): one
    row per account_id and campaign_id known from the campaign records (drafts included) or from
    any contact event of a campaign, with the record's name, subject and sender first and the
    latest event's as the fallback. No split tests.
-#}

with

campaigns as (

    select * from {{ ref('stg_benchmark__campaigns') }}

),

campaign_attributes as (

    -- per campaign: the latest contact event's name, subject and sender (an incremental
    -- aggregate of the contact events)
    select * from {{ ref('int_benchmark__campaign_attributes') }}

),

ranked_campaigns as (

    -- one row per campaign id (the raw table merges on it; this guards against a re-keyed load)
    select
        *,
        row_number() over (
            partition by account_id, campaign_id
            order by loaded_at desc, updated_at desc
        ) as campaign_rank

    from campaigns

),

campaign_ids as (

    select account_id, campaign_id from campaigns

    union

    select account_id, campaign_id from campaign_attributes

),

conformed as (

    select
        'benchmark' as provider,
        campaign_ids.account_id,
        campaign_ids.campaign_id,
        'campaign' as message_type,
        coalesce(campaigns.campaign_name, latest_event.campaign_name) as campaign_name,
        coalesce(campaigns.subject, latest_event.subject) as subject,
        coalesce(campaigns.sender_address, latest_event.sender_address) as sender_name,
        campaigns.campaign_status,
        campaigns.scheduled_at as scheduled_sent_at,
        cast(0 as {{ dbt.type_bigint() }}) as split_count,
        false as has_variations,
        -- no sections
        {{ conformed_nulls('email_campaigns', ['section']) }}

    from campaign_ids
    left join ranked_campaigns as campaigns
        on campaign_ids.account_id = campaigns.account_id
        and campaign_ids.campaign_id = campaigns.campaign_id
        and campaigns.campaign_rank = 1
    left join campaign_attributes as latest_event
        on campaign_ids.account_id = latest_event.account_id
        and campaign_ids.campaign_id = latest_event.campaign_id

)

select * from conformed
