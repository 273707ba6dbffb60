{#-
    APSIS One's campaigns in the conformed shape (macro conformed_columns('email_campaigns')): one
    row per account_id and activity (campaign_id) known from the activities or from any event,
    with the activity's metadata first and the latest event's name, subject and sender as the
    fallback, and its split information.
-#}

with

activities as (

    select * from {{ ref('stg_apsis_one__activities') }}

),

activity_splits as (

    select * from {{ ref('stg_apsis_one__activity_splits') }}

),

campaign_attributes as (

    -- per activity: the latest event's name, subject and sender, and whether any event carries a
    -- variation (an incremental aggregate of the events)
    select * from {{ ref('int_apsis_one__campaign_attributes') }}

),

event_splits as (

    select * from {{ ref('int_apsis_one__campaign_splits') }}

),

ranked_activities as (

    -- an activity is listed once per section; keep one row per activity id
    select
        *,
        row_number() over (
            partition by account_id, campaign_id
            order by loaded_at desc, section_discriminator asc
        ) as activity_rank

    from activities

),

splits as (

    -- split sub-activities from the activity metadata and from the events; the winning
    -- partition is sent under the main activity id and is not a split of its own
    select account_id, campaign_id, split_id
    from activity_splits

    union all

    select account_id, campaign_id, split_id
    from event_splits

),

split_counts as (

    select
        account_id,
        campaign_id,
        count(distinct split_id) as split_count

    from splits
    group by account_id, campaign_id

),

campaign_ids as (

    select account_id, campaign_id from activities

    union

    select account_id, campaign_id from campaign_attributes

),

conformed as (

    select
        'apsis_one' as provider,
        campaign_ids.account_id,
        campaign_ids.campaign_id,
        'campaign' as message_type,
        coalesce(activities.campaign_name, latest_event.campaign_name) as campaign_name,
        coalesce(activities.subject, latest_event.subject) as subject,
        coalesce(activities.sender_name, latest_event.sender_name) as sender_name,
        activities.section_discriminator as section,
        activities.activity_status as campaign_status,
        activities.sent_at as scheduled_sent_at,
        coalesce(split_counts.split_count, 0) as split_count,
        coalesce(latest_event.has_variations, false) as has_variations

    from campaign_ids
    left join ranked_activities as activities
        on campaign_ids.account_id = activities.account_id
        and campaign_ids.campaign_id = activities.campaign_id
        and activities.activity_rank = 1
    left join campaign_attributes as latest_event
        on campaign_ids.account_id = latest_event.account_id
        and campaign_ids.campaign_id = latest_event.campaign_id
    left join split_counts
        on campaign_ids.account_id = split_counts.account_id
        and campaign_ids.campaign_id = split_counts.campaign_id

)

select * from conformed
