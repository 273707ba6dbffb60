{#-
    One row per provider, account_id, campaign_id and link that the provider itself lists for
    the campaign, clicked or not (CONTRACTS.md 8). Benchmark: the `linkActivity` entries of the
    latest `/api/reports/email/{id}` snapshot of each campaign (by taken_at, then loaded_at),
    with Benchmark's own click counts; an entry without a URL is not a link. No other provider
    lists a campaign's links: APSIS One's activities carry none (PROVIDERS.md 2.5), Maxemail and
    Netcore neither. Without Benchmark's report snapshots (`benchmark_enabled` or
    `benchmark_reports_enabled` false: a key without `reports:read`) the model is empty, with
    the same columns.
-#}

{%- set benchmark_listing = var('benchmark_enabled', true) and var('benchmark_reports_enabled', true) %}

with

{% if benchmark_listing -%}
benchmark_reports as (

    select * from {{ ref('stg_benchmark__campaign_reports') }}

),

benchmark_report_links as (

    select * from {{ ref('stg_benchmark__campaign_report_links') }}

),

ranked_benchmark_reports as (

    select
        account_id,
        campaign_id,
        dlt_id,
        taken_at,
        row_number() over (
            partition by account_id, campaign_id
            order by taken_at desc, loaded_at desc
        ) as snapshot_rank

    from benchmark_reports

),

benchmark_links as (

    select
        'benchmark' as provider,
        reports.account_id,
        reports.campaign_id,
        links.link_id,
        links.link_url,
        links.click_count as reported_total_click_count,
        links.unique_click_count as reported_unique_click_count,
        reports.taken_at as listed_at,
        links.link_index

    from ranked_benchmark_reports as reports
    inner join benchmark_report_links as links
        on reports.dlt_id = links.snapshot_id
    where reports.snapshot_rank = 1
        and links.link_url is not null

),

keyed as (

    select
        {{ email_link_key('provider', 'account_id', 'campaign_id', 'link_id', 'link_url') }}
            as link_key,
        *

    from benchmark_links

),

ranked as (

    -- a link id listed twice in one snapshot is one link: its first entry
    select
        *,
        row_number() over (partition by link_key order by link_index) as listing_rank

    from keyed

),

final as (

    select
        link_key,
        provider,
        account_id,
        campaign_id,
        link_id,
        link_url,
        reported_total_click_count,
        reported_unique_click_count,
        listed_at

    from ranked
    where listing_rank = 1

)

{%- else -%}
final as (

    -- no provider listing is loaded: no rows, the same columns
    select
        cast(null as {{ dbt.type_string() }}) as link_key,
        cast(null as {{ dbt.type_string() }}) as provider,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as link_id,
        cast(null as {{ dbt.type_string() }}) as link_url,
        cast(null as {{ dbt.type_bigint() }}) as reported_total_click_count,
        cast(null as {{ dbt.type_bigint() }}) as reported_unique_click_count,
        cast(null as {{ dbt.type_timestamp() }}) as listed_at
    where 1 = 0

)
{%- endif %}

select * from final
