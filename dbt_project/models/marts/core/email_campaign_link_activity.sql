{#-
    One row per provider, account_id, campaign_id and link, keyed by link_key (CONTRACTS.md 8): the
    provider's link id where it has one (APSIS One, Benchmark), else the URL (Maxemail, Netcore).
    Listed links (int_email_links__listed) appear with zero clicks. The total is the provider's
    own where its click events undercount it (int_email_link_totals__unioned: Maxemail's running
    click counts), else the click events. Clicks without a URL are not links.
    Incremental (delete+insert on link_key): a run recomputes, from all their clicks, the links
    with a click loaded (or re-classified, below) within `event_lookback_hours` of the provider's newest `last_loaded_at`
    here, and the links whose listing or provider total no longer matches this table
    (macro link_activity_changed_links); the clicks are read for those links' campaigns only.
    Human clicks (issue 16): the clicks fct_email_events did not flag as a bot's (is_bot_click);
    a click re-flagged by a later event of its pair keeps its loaded_at but gets a newer
    classified_loaded_at, which is what the recent-clicks rule reads.
-#}

{{
    config(
        materialized='incremental',
        unique_key='link_key',
        incremental_strategy='delete+insert',
    )
}}

{%- set clicks_sql -%}
    (select * from {{ ref('fct_email_events') }} where event_type = 'clicked' and link_url is not null)
{%- endset %}

with

listed_links as (

    select * from {{ ref('int_email_links__listed') }}

),

link_totals as (

    select * from {{ ref('int_email_link_totals__unioned') }}

),

{% if is_incremental() %}

changed_links as (

    {{ link_activity_changed_links(clicks_sql, 'listed_links', 'link_totals') }}

),

clicks as (

    -- the clicks of the changed links' campaigns (the key is computed on those only)
    {{ rows_of_changed_keys(
        clicks_sql,
        'select distinct provider, account_id, campaign_id from changed_links',
        ['campaign_id'],
    ) }}

),

{% else %}

clicks as (

    select * from {{ clicks_sql }} as all_rows

),

{% endif %}

link_events as (

    {{ link_activity_link_events('clicks') }}

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
        -- human clicks (issue 16): the click events no machine rule flagged (is_bot_click)
        cast(coalesce(link_events.human_unique_click_count, 0) as {{ dbt.type_bigint() }})
            as human_unique_click_count,
        -- none where the provider counts the link's clicks itself (Maxemail's running counts mix
        -- machine and human clicks): there the human total is unknown
        case
            when link_totals.link_key is null
                then cast(coalesce(link_events.human_click_event_count, 0) as {{ dbt.type_bigint() }})
        end as human_total_click_count,
        link_events.first_clicked_at,
        link_events.last_clicked_at,
        link_events.last_loaded_at

    from links
    left join link_events
        on links.link_key = link_events.link_key
    left join listed_links
        on links.link_key = listed_links.link_key
    left join link_totals
        on links.link_key = link_totals.link_key
    {%- if is_incremental() %}
    where links.link_key in (select link_key from changed_links)
    {%- endif %}

)

select * from final
