{#-
    One row per account_id and campaign_id of Benchmark's contact events of a campaign: the name,
    subject and sender carried on the most recent event (ties: the latest load, then the smallest
    name), and the newest loaded_at. Incremental (delete+insert on campaign_key): a run merges the
    staged events loaded within the lookback of the newest `last_loaded_at` here with the stored
    rows of their campaigns (macro campaign_attribute_ctes). A re-loaded event replaces its staged
    row with the later load's, which is among the new rows.
-#}

{{
    config(
        materialized='incremental',
        unique_key='campaign_key',
    )
}}

with

recent as (

    select
        cast('benchmark' as {{ dbt.type_string() }}) as provider,
        account_id,
        campaign_id,
        occurred_at,
        loaded_at,
        campaign_name,
        subject,
        sender_address,
        loaded_at as last_loaded_at

    from {{ ref('stg_benchmark__contact_events') }}
    where campaign_id is not null
    {%- if is_incremental() %}
        and loaded_at >= {{ lookback_since('last_loaded_at') }}
    {%- endif %}

),

{{ campaign_attribute_ctes(
    'recent',
    ['provider', 'account_id', 'campaign_id', 'occurred_at', 'loaded_at', 'campaign_name',
     'subject', 'sender_address', 'last_loaded_at'],
    'occurred_at',
    ['loaded_at desc nulls last', 'campaign_name asc nulls last', 'subject asc nulls last',
     'sender_address asc nulls last'],
    {'last_loaded_at': 'max(last_loaded_at)'},
) }}

select * from campaign_rows
