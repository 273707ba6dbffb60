{#-
    One row per Benchmark account_id, campaign_id and metric: the campaign report Benchmark
    computes itself (`GET /api/reports/email/{id}`, the latest snapshot the loader took) beside
    ours (`email_campaign_report`, the same definitions) and the difference (modelled -
    reported). A data test fails when any |difference| exceeds the var `reconciliation_tolerance`.
-#}

{{ config(enabled=var('benchmark_enabled', true) and var('benchmark_reports_enabled', true)) }}

{#- (metric as Benchmark names it, the column in both reports) -#}
{%- set metrics = [
    ('sent', 'sent_count'),
    ('delivered', 'delivered_count'),
    ('opens.unique', 'unique_open_count'),
    ('clicks.unique', 'unique_click_count'),
    ('totalBounces.count', 'bounce_count'),
    ('hardBounces.count', 'hard_bounce_count'),
    ('softBounces.count', 'soft_bounce_count'),
    ('complaints', 'complaint_count'),
    ('unsubscribes', 'unsubscribe_count'),
] -%}
{%- set metrics_from = [] -%}
{%- for metric, column in metrics -%}
    {%- do metrics_from.append((metric, column, 'email_campaign_report.' ~ column)) -%}
{%- endfor %}

with

provider_reports as (

    select * from {{ ref('stg_benchmark__campaign_reports') }}

),

campaign_report as (

    select * from {{ ref('email_campaign_report') }}
    where provider = 'benchmark'

),

ranked_reports as (

    -- the report is a snapshot per run: the latest one per campaign is Benchmark's current word
    select
        *,
        row_number() over (
            partition by account_id, campaign_id
            order by taken_at desc, loaded_at desc
        ) as snapshot_rank

    from provider_reports

),

reported as (

    select * from ranked_reports
    where snapshot_rank = 1

),

campaign_ids as (

    -- campaigns known to either side: a reported campaign without events is modelled as 0, a
    -- campaign with events but no report snapshot has no reported numbers
    select account_id, campaign_id from reported

    union

    select account_id, campaign_id from campaign_report

),

paired as (

    select
        campaign_ids.account_id,
        campaign_ids.campaign_id,
        reported.taken_at as reported_at,
        {% for _, column in metrics -%}
        reported.{{ column }} as reported__{{ column }},
        coalesce(campaign_report.{{ column }}, 0) as modelled__{{ column }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from campaign_ids
    left join reported
        on campaign_ids.account_id = reported.account_id
        and campaign_ids.campaign_id = reported.campaign_id
    left join campaign_report
        on campaign_ids.account_id = campaign_report.account_id
        and campaign_ids.campaign_id = campaign_report.campaign_id

),

unpivoted as (

    {{ reconciliation_rows('benchmark', ['account_id', 'campaign_id'], metrics_from) }}

)

select * from unpivoted
