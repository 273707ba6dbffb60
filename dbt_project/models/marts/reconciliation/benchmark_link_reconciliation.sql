{#-
    One row per Benchmark account_id, campaign_id, link and metric: the clicks Benchmark counts
    itself for each link of a campaign (`linkActivity` of `GET /api/reports/email/{id}`, the
    latest snapshot the loader took: int_email_links__listed) beside the link's row of
    email_campaign_link_activity (the same link-id grain, CONTRACTS.md 8), and the difference
    (modelled - reported). Metrics by their JSON path: `linkActivity[id=<link id>].clicks.total`
    and `.clicks.unique` (`linkActivity[path=<URL>]` for an entry without an id). A data test
    fails when any |difference| exceeds the var `reconciliation_tolerance`.
-#}

{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

with

listed_links as (

    select * from {{ ref('int_email_links__listed') }}
    where provider = 'benchmark'

),

link_activity as (

    select * from {{ ref('email_campaign_link_activity') }}
    where provider = 'benchmark'

),

paired as (

    -- a listed link nobody clicked has no click events: modelled 0
    select
        listed_links.account_id,
        listed_links.campaign_id,
        listed_links.link_key,
        listed_links.link_id,
        listed_links.link_url,
        case
            when listed_links.link_id is not null
                then {{ dbt.concat(["'linkActivity[id='", 'listed_links.link_id', "']'"]) }}
            else {{ dbt.concat(["'linkActivity[path='", 'listed_links.link_url', "']'"]) }}
        end as link_path,
        listed_links.reported_total_click_count,
        listed_links.reported_unique_click_count,
        coalesce(link_activity.total_click_count, 0) as modelled_total_click_count,
        coalesce(link_activity.unique_click_count, 0) as modelled_unique_click_count,
        listed_links.listed_at

    from listed_links
    left join link_activity
        on listed_links.link_key = link_activity.link_key

),

unpivoted as (

    {% for metric in ['total', 'unique'] -%}
    select
        'benchmark' as provider,
        account_id,
        campaign_id,
        link_key,
        link_id,
        link_url,
        {{ dbt.concat(['link_path', "'.clicks." ~ metric ~ "'"]) }} as metric,
        'email_campaign_link_activity.{{ metric }}_click_count' as modelled_from,
        reported_{{ metric }}_click_count as reported_value,
        modelled_{{ metric }}_click_count as modelled_value,
        modelled_{{ metric }}_click_count - reported_{{ metric }}_click_count as difference,
        listed_at as reported_at

    from paired
    {% if not loop.last %}
    union all

    {% endif -%}
    {% endfor %}
)

select * from unpivoted
