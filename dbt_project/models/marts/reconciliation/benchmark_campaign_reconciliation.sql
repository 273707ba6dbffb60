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
{%- set metrics_from, pairs = [], [] -%}
{%- for metric, column in metrics -%}
    {%- do metrics_from.append((metric, column, 'email_campaign_report.' ~ column)) -%}
    {%- do pairs.append((column, 'reported.' ~ column, 'campaign_report.' ~ column)) -%}
{%- endfor %}

with

provider_reports as (

    select * from {{ ref('stg_benchmark__campaign_reports') }}

),

campaign_report as (

    select * from {{ ref('email_campaign_report') }}
    where provider = 'benchmark'

),

reported as (

    -- the report is a snapshot per run: the latest one per campaign is Benchmark's current word
    {{ latest_snapshots('provider_reports', ['account_id', 'campaign_id']) }}

),

paired as (

    -- campaigns known to either side: a reported campaign without events is modelled as 0, a
    -- campaign with events but no report snapshot has no reported numbers
    {{ reconciliation_pairs(
        ['account_id', 'campaign_id'], 'reported', 'campaign_report', 'reported.taken_at', pairs,
    ) }}

),

unpivoted as (

    {{ reconciliation_rows('benchmark', ['account_id', 'campaign_id'], metrics_from) }}

)

select * from unpivoted
