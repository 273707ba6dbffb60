{#-
    One row per provider, account_id, campaign_id and link, keyed by link_key (CONTRACTS.md 8): the
    provider's link id where it has one (APSIS One, Benchmark), else the URL (Maxemail, Netcore).
    Listed links (int_email_links__listed) appear with zero clicks. The total is the provider's
    own where its click events undercount it (int_email_link_totals__unioned: Maxemail's running
    click counts), else the click events. Clicks without a URL are not links.
-#}

with

clicks as (

    select * from {{ ref('fct_email_events') }}
    where event_type = 'clicked'
        and link_url is not null

),

listed_links as (

    select * from {{ ref('int_email_links__listed') }}

),

link_totals as (

    select * from {{ ref('int_email_link_totals__unioned') }}

),

keyed_clicks as (

    select
        {{ email_link_key('provider', 'account_id', 'campaign_id', 'link_id', 'link_url') }}
            as link_key,
        provider,
        account_id,
        campaign_id,
        link_id,
        link_url,
        link_title,
        recipient_key,
        occurred_at

    from clicks

),

ranked_clicks as (

    -- the latest click's URL and the latest non-null title (an edited link keeps its id)
    select
        *,
        row_number() over (
            partition by link_key
            order by occurred_at desc, link_url desc
        ) as url_rank,
        row_number() over (
            partition by link_key
            order by case when link_title is null then 1 else 0 end, occurred_at desc, link_title desc
        ) as title_rank

    from keyed_clicks

),

link_events as (

    select
        link_key,
        provider,
        account_id,
        campaign_id,
        link_id,
        max(case when url_rank = 1 then link_url end) as latest_link_url,
        max(case when title_rank = 1 then link_title end) as latest_link_title,
        count(distinct recipient_key) as unique_click_count,
        count(*) as click_event_count,
        min(occurred_at) as first_clicked_at,
        max(occurred_at) as last_clicked_at

    from ranked_clicks
    group by link_key, provider, account_id, campaign_id, link_id

),

links as (

    select link_key, provider, account_id, campaign_id, link_id from link_events

    union

    select link_key, provider, account_id, campaign_id, link_id from listed_links

),

final as (

    select
        links.link_key,
        links.provider,
        links.account_id,
        links.campaign_id,
        links.link_id,
        coalesce(listed_links.link_url, link_events.latest_link_url) as link_url,
        link_events.latest_link_title as link_title,
        listed_links.link_key is not null as is_listed_by_provider,
        cast(coalesce(link_events.unique_click_count, 0) as {{ dbt.type_bigint() }})
            as unique_click_count,
        cast(
            coalesce(link_totals.total_click_count, link_events.click_event_count, 0)
                as {{ dbt.type_bigint() }}
        ) as total_click_count,
        link_events.first_clicked_at,
        link_events.last_clicked_at

    from links
    left join link_events
        on links.link_key = link_events.link_key
    left join listed_links
        on links.link_key = listed_links.link_key
    left join link_totals
        on links.link_key = link_totals.link_key

)

select * from final
