{#-
    One row per provider, account_id and campaign_id known from the provider's campaign metadata
    or from its events, with the campaign attributes each provider offers. One CTE per provider,
    each behind its provider's enable var.
-#}

{%- set providers = enabled_providers() %}

with

{% if 'apsis_one' in providers -%}
apsis_one_activities as (

    select * from {{ ref('stg_apsis_one__activities') }}

),

apsis_one_activity_splits as (

    select * from {{ ref('stg_apsis_one__activity_splits') }}

),

apsis_one_events as (

    select * from {{ ref('stg_apsis_one__email_events') }}

),

apsis_one_ranked_activities as (

    -- an activity is listed once per section; keep one row per activity id
    select
        *,
        row_number() over (
            partition by account_id, campaign_id
            order by loaded_at desc, section_discriminator asc
        ) as activity_rank

    from apsis_one_activities

),

apsis_one_latest_event_attributes as (

    -- name, subject and sender as carried on the most recently received event
    select
        account_id,
        campaign_id,
        campaign_name,
        subject,
        sender_name,
        row_number() over (
            partition by account_id, campaign_id
            order by received_at desc, loaded_at desc, campaign_name asc
        ) as event_rank

    from apsis_one_events

),

apsis_one_splits as (

    -- split sub-activities from the activity metadata and from the events; the winning
    -- partition is sent under the main activity id and is not a split of its own
    select account_id, campaign_id, split_id
    from apsis_one_activity_splits

    union all

    select account_id, campaign_id, split_id
    from apsis_one_events
    where split_id <> campaign_id

),

apsis_one_split_counts as (

    select
        account_id,
        campaign_id,
        count(distinct split_id) as split_count

    from apsis_one_splits
    group by account_id, campaign_id

),

apsis_one_variations as (

    select
        account_id,
        campaign_id,
        count(*) as variation_event_count

    from apsis_one_events
    where variation is not null
    group by account_id, campaign_id

),

apsis_one_campaign_ids as (

    select account_id, campaign_id from apsis_one_activities

    union

    select account_id, campaign_id from apsis_one_events

),

apsis_one as (

    select
        'apsis_one' as provider,
        apsis_one_campaign_ids.account_id,
        apsis_one_campaign_ids.campaign_id,
        'campaign' as message_type,
        coalesce(activities.campaign_name, latest_event.campaign_name) as campaign_name,
        coalesce(activities.subject, latest_event.subject) as subject,
        coalesce(activities.sender_name, latest_event.sender_name) as sender_name,
        activities.section_discriminator as section,
        activities.activity_status as campaign_status,
        activities.sent_at as scheduled_sent_at,
        coalesce(apsis_one_split_counts.split_count, 0) as split_count,
        apsis_one_variations.variation_event_count is not null as has_variations

    from apsis_one_campaign_ids
    left join apsis_one_ranked_activities as activities
        on apsis_one_campaign_ids.account_id = activities.account_id
        and apsis_one_campaign_ids.campaign_id = activities.campaign_id
        and activities.activity_rank = 1
    left join apsis_one_latest_event_attributes as latest_event
        on apsis_one_campaign_ids.account_id = latest_event.account_id
        and apsis_one_campaign_ids.campaign_id = latest_event.campaign_id
        and latest_event.event_rank = 1
    left join apsis_one_split_counts
        on apsis_one_campaign_ids.account_id = apsis_one_split_counts.account_id
        and apsis_one_campaign_ids.campaign_id = apsis_one_split_counts.campaign_id
    left join apsis_one_variations
        on apsis_one_campaign_ids.account_id = apsis_one_variations.account_id
        and apsis_one_campaign_ids.campaign_id = apsis_one_variations.campaign_id

),


{% endif -%}
{% if 'maxemail' in providers -%}
maxemail_campaigns as (

    select * from {{ ref('stg_maxemail__campaigns') }}

),

maxemail_sends as (

    select * from {{ ref('stg_maxemail__sends') }}

),

maxemail_known_ids as (

    -- every message with `find` metadata or a send (the loader calls `find` for each message id
    -- an export mentions, so the sends only matter until that call has run)
    select account_id, email_id, message_type from maxemail_campaigns

    union all

    select account_id, email_id, message_type from maxemail_sends

),

maxemail_campaign_ids as (

    select
        account_id,
        email_id,
        min(message_type) as message_type

    from maxemail_known_ids
    group by account_id, email_id

),

maxemail as (

    select
        'maxemail' as provider,
        maxemail_campaign_ids.account_id,
        cast(maxemail_campaign_ids.email_id as {{ dbt.type_string() }}) as campaign_id,
        coalesce(maxemail_campaigns.message_type, maxemail_campaign_ids.message_type)
            as message_type,
        maxemail_campaigns.campaign_name,
        maxemail_campaigns.subject,
        maxemail_campaigns.sender_name,
        cast(null as {{ dbt.type_string() }}) as section,
        maxemail_campaigns.campaign_status,
        -- when sending started, else when it is scheduled to
        coalesce(maxemail_campaigns.started_at, maxemail_campaigns.scheduled_at)
            as scheduled_sent_at,
        0 as split_count,
        false as has_variations

    from maxemail_campaign_ids
    left join maxemail_campaigns
        on maxemail_campaign_ids.account_id = maxemail_campaigns.account_id
        and maxemail_campaign_ids.email_id = maxemail_campaigns.email_id

),

{% endif -%}
{% if 'netcore' in providers -%}
netcore_messages as (

    select * from {{ ref('stg_netcore__messages') }}

),

netcore_latest_messages as (

    -- Netcore has no campaign metadata: name (tags), subject and sender are those of the
    -- campaign's most recently requested message
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

    from netcore_messages
    where campaign_id is not null

),

netcore_campaign_ids as (

    select distinct
        account_id,
        campaign_id

    from netcore_messages
    where campaign_id is not null

),

netcore as (

    select
        'netcore' as provider,
        netcore_campaign_ids.account_id,
        netcore_campaign_ids.campaign_id,
        'campaign' as message_type,
        latest.campaign_name,
        latest.subject,
        latest.sender_address as sender_name,
        cast(null as {{ dbt.type_string() }}) as section,
        cast(null as {{ dbt.type_string() }}) as campaign_status,
        -- Netcore's API gives no scheduled send time (a first request may be dropped, never sent)
        cast(null as {{ dbt.type_timestamp() }}) as scheduled_sent_at,
        0 as split_count,
        false as has_variations

    from netcore_campaign_ids
    left join netcore_latest_messages as latest
        on netcore_campaign_ids.account_id = latest.account_id
        and netcore_campaign_ids.campaign_id = latest.campaign_id
        and latest.message_rank = 1

),

{% endif -%}
{% if 'benchmark' in providers -%}
benchmark_campaigns as (

    select * from {{ ref('stg_benchmark__campaigns') }}

),

benchmark_contact_events as (

    select * from {{ ref('stg_benchmark__contact_events') }}

),

benchmark_ranked_campaigns as (

    -- one row per campaign id (the raw table merges on it; this guards against a re-keyed load)
    select
        *,
        row_number() over (
            partition by account_id, campaign_id
            order by loaded_at desc, updated_at desc
        ) as campaign_rank

    from benchmark_campaigns

),

benchmark_latest_event_attributes as (

    -- name, subject and sender as carried on the most recent contact event of the campaign
    select
        account_id,
        campaign_id,
        campaign_name,
        subject,
        sender_address,
        row_number() over (
            partition by account_id, campaign_id
            order by occurred_at desc, loaded_at desc, campaign_name asc
        ) as event_rank

    from benchmark_contact_events
    where campaign_id is not null

),

benchmark_campaign_ids as (

    select account_id, campaign_id from benchmark_campaigns

    union

    select account_id, campaign_id from benchmark_contact_events
    where campaign_id is not null

),

benchmark as (

    select
        'benchmark' as provider,
        benchmark_campaign_ids.account_id,
        benchmark_campaign_ids.campaign_id,
        'campaign' as message_type,
        coalesce(campaigns.campaign_name, latest_event.campaign_name) as campaign_name,
        coalesce(campaigns.subject, latest_event.subject) as subject,
        coalesce(campaigns.sender_address, latest_event.sender_address) as sender_name,
        cast(null as {{ dbt.type_string() }}) as section,
        campaigns.campaign_status,
        campaigns.scheduled_at as scheduled_sent_at,
        0 as split_count,
        false as has_variations

    from benchmark_campaign_ids
    left join benchmark_ranked_campaigns as campaigns
        on benchmark_campaign_ids.account_id = campaigns.account_id
        and benchmark_campaign_ids.campaign_id = campaigns.campaign_id
        and campaigns.campaign_rank = 1
    left join benchmark_latest_event_attributes as latest_event
        on benchmark_campaign_ids.account_id = latest_event.account_id
        and benchmark_campaign_ids.campaign_id = latest_event.campaign_id
        and latest_event.event_rank = 1

),

{% endif -%}
unioned as (

    {% for provider in providers -%}
    select * from {{ provider }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
