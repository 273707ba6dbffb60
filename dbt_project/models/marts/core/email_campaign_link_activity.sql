{#-
    One row per provider, account_id, campaign_id and link, keyed by link_key (CONTRACTS.md 8): the
    provider's link id where it has one (APSIS One, Benchmark), else the URL (Maxemail, Netcore).
    Listed links (int_email_links__listed) appear with zero clicks. Maxemail's `clicked` rows are
    per-recipient running totals: its total is the sum over recipients of the highest `click
    count` seen for the URL (stg_maxemail__clicks). Clicks without a URL are not links.
-#}

{%- set providers = enabled_providers() %}

with

clicks as (

    select * from {{ ref('fct_email_events') }}
    where event_type = 'clicked'
        and link_url is not null

),

listed_links as (

    select * from {{ ref('int_email_links__listed') }}

),

{% if 'maxemail' in providers -%}
maxemail_clicks as (

    select * from {{ ref('stg_maxemail__clicks') }}
    where link_url is not null

),

maxemail_recipient_links as (

    -- one row per recipient, message and URL: the highest running click count seen
    select
        account_id,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        email_address,
        link_url,
        max(click_count) as click_count

    from maxemail_clicks
    group by account_id, email_id, email_address, link_url

),

maxemail_link_totals as (

    -- Maxemail has no link ids: its links are URLs
    select
        {{ email_link_key("'maxemail'", 'account_id', 'campaign_id', 'cast(null as ' ~ dbt.type_string() ~ ')', 'link_url') }}
            as link_key,
        sum(click_count) as total_click_count

    from maxemail_recipient_links
    group by account_id, campaign_id, link_url

),

{% endif -%}

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
            coalesce(
                {% if 'maxemail' in providers -%}
                maxemail_link_totals.total_click_count,
                {% endif -%}
                link_events.click_event_count,
                0
            ) as {{ dbt.type_bigint() }}
        ) as total_click_count,
        link_events.first_clicked_at,
        link_events.last_clicked_at

    from links
    left join link_events
        on links.link_key = link_events.link_key
    left join listed_links
        on links.link_key = listed_links.link_key
    {% if 'maxemail' in providers -%}
    left join maxemail_link_totals
        on links.link_key = maxemail_link_totals.link_key
    {%- endif %}

)

select * from final
