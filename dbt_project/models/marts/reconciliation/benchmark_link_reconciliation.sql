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
        listed_links.reported_total_click_count as reported__total,
        listed_links.reported_unique_click_count as reported__unique,
        coalesce(link_activity.total_click_count, 0) as modelled__total,
        coalesce(link_activity.unique_click_count, 0) as modelled__unique,
        listed_links.listed_at

    from listed_links
    left join link_activity
        on listed_links.link_key = link_activity.link_key

),

unpivoted as (

    {{ reconciliation_rows(
        'benchmark',
        ['account_id', 'campaign_id', 'link_key', 'link_id', 'link_url'],
        [
            ('.clicks.total', 'total', 'email_campaign_link_activity.total_click_count'),
            ('.clicks.unique', 'unique', 'email_campaign_link_activity.unique_click_count'),
        ],
        reported_at='listed_at',
        metric_prefix='link_path',
    ) }}

)

select * from unpivoted
