{#-
    One row per provider, account_id and campaign_id: campaign metadata plus first send. The
    first send comes from fct_email_deliveries (each pair's first_sent_at; their minimum is the
    campaign's first `sent` event), folded per campaign by the incremental
    int_email_campaign_first_sends, rather than from every event of fct_email_events.
-#}

with

campaigns as (

    select * from {{ ref('int_email_campaigns__unioned') }}

),

first_sends as (

    -- per campaign: the earliest first_sent_at of its pairs (an incremental aggregate of
    -- fct_email_deliveries)
    select * from {{ ref('int_email_campaign_first_sends') }}
    where first_sent_at is not null

),

final as (

    select
        campaigns.provider,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.message_type,
        campaigns.campaign_name,
        campaigns.subject,
        campaigns.sender_name,
        campaigns.section,
        campaigns.campaign_status,
        coalesce(first_sends.first_sent_at, campaigns.scheduled_sent_at) as first_sent_at,
        campaigns.split_count,
        campaigns.split_count > 0 or campaigns.has_variations as is_split_test

    from campaigns
    left join first_sends
        on campaigns.provider = first_sends.provider
        and campaigns.account_id = first_sends.account_id
        and campaigns.campaign_id = first_sends.campaign_id

)

select * from final
