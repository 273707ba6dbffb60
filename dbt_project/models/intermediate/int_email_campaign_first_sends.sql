{#-
    One row per provider, account_id and campaign_id of fct_email_deliveries: the earliest
    first_sent_at of its pairs (null when none was sent) and their newest last_loaded_at: the
    first sends of dim_email_campaigns. Incremental (delete+insert on campaign_key): a run folds
    the pairs loaded within the lookback of the provider's newest `last_loaded_at` here (macro
    loaded_within_lookback_pruned: older row groups of the deliveries are skipped) into the
    stored rows of their campaigns (macro min_and_newest_per_key). Exact because a pair is
    rebuilt from all of its events and fct_email_events only adds events or replaces one by
    the same event, so a pair's first_sent_at never grows and its last_loaded_at never shrinks.
-#}

{{
    config(
        materialized='incremental',
        unique_key='campaign_key',
    )
}}

with

pairs as (

    select
        provider,
        account_id,
        campaign_id,
        first_sent_at,
        last_loaded_at,
        last_loaded_at as loaded_at

    from {{ ref('fct_email_deliveries') }}

),

recent as (

    {%- if is_incremental() %}
    select * from ({{ loaded_within_lookback_pruned('pairs', 'last_loaded_at') }}) as recent_pairs
    {%- else %}
    select * from pairs
    {%- endif %}

),

{{ min_and_newest_per_key('recent', ['provider', 'account_id', 'campaign_id'], 'first_sent_at') }}
