{#-
    One row per campaign, event_type (report_first_events' names: email-sent, email-delivered,
    email-bounced, first-contact-unsubscribed, first-email-complaint, first-email-opened,
    first-email-clicked, and first-human-opened, first-human-clicked: the pair's first open /
    click not flagged as a machine's, issue 16), bounce_class and local clock hour of the
    reporting time zone: the pairs whose FIRST event of the type falls in that hour, and one
    `any-pair` row per campaign (every pair, no time) (`pair_count`), the earliest such time
    (`first_event_at`, exact) and the pairs' newest `last_loaded_at` (the watermark).
    `event_hour_start_utc` is the UTC start of the local hour (macro local_hour_start_utc):
    calendar periods and every bucket start on one, so counts over them are sums of these rows
    (CONTRACTS.md 9). Incremental: the campaigns with a pair loaded within the lookback are
    recomputed whole (report_changed_campaign_pairs). A new reporting_timezone or seed edit
    needs `--full-refresh`.
-#}

{{
    config(
        materialized='incremental',
        unique_key='campaign_key',
    )
}}

{#- changed_pairs or fct_email_deliveries (macros/reports/report_aggregates.sql) -#}
-- depends_on: {{ ref('fct_email_deliveries') }}
{%- set pairs = report_pairs_relation() %}

with

{{ report_changed_pairs_cte() }}

quarters as (

    -- the pairs' first events per quarter hour (report_quarter_hour_start): the local hour is
    -- computed per quarter, not per pair
    select
        provider,
        account_id,
        campaign_id,
        event_type,
        bounce_class,
        {{ report_quarter_hour_start('event_at') }} as quarter_start_utc,
        count(*) as pair_count,
        min(event_at) as first_event_at,
        max(last_loaded_at) as last_loaded_at
    from ({{ report_first_events(pairs, with_loaded_at=true) }}) as first_events
    group by
        provider,
        account_id,
        campaign_id,
        event_type,
        bounce_class,
        {{ report_quarter_hour_start('event_at') }}

),

first_events as (

    select
        quarters.*,
        {{ report_local_hour_of_quarter('quarters.quarter_start_utc') }} as event_hour_start_utc
    from quarters

),

final as (

    -- every pair once more as `any-pair` (no time): the accounts and campaigns the marts list
    select
        {{ report_campaign_key() }} as campaign_key,
        provider,
        account_id,
        campaign_id,
        'any-pair' as event_type,
        cast(null as {{ dbt.type_string() }}) as bounce_class,
        cast(null as {{ dbt.type_timestamp() }}) as event_hour_start_utc,
        count(*) as pair_count,
        cast(null as {{ dbt.type_timestamp() }}) as first_event_at,
        max(last_loaded_at) as last_loaded_at
    from {{ pairs }}
    group by
        provider,
        account_id,
        campaign_id

    union all

    select
        {{ report_campaign_key() }} as campaign_key,
        provider,
        account_id,
        campaign_id,
        event_type,
        bounce_class,
        event_hour_start_utc,
        cast(sum(pair_count) as {{ dbt.type_bigint() }}) as pair_count,
        min(first_event_at) as first_event_at,
        max(last_loaded_at) as last_loaded_at
    from first_events
    group by
        provider,
        account_id,
        campaign_id,
        event_type,
        bounce_class,
        event_hour_start_utc

)

select * from final
