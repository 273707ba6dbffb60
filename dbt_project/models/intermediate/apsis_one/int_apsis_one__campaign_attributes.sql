{#-
    One row per account_id and activity (campaign_id) of APSIS One's events: the name, subject
    and sender carried on the most recently received event (ties: the latest load, then the
    smallest name), whether any event carries a split-test variation, and the newest loaded_at.
    Incremental (delete+insert on campaign_key): a run merges the events loaded within the
    lookback of the newest `last_loaded_at` here with the stored rows of their campaigns (macro
    campaign_attribute_ctes), so a daily build reads the day's loads, not every event.
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
        cast('apsis_one' as {{ dbt.type_string() }}) as provider,
        account_id,
        campaign_id,
        received_at,
        loaded_at,
        campaign_name,
        subject,
        sender_name,
        variation is not null as has_variations,
        loaded_at as last_loaded_at

    from {{ ref('stg_apsis_one__email_events') }}
    {%- if is_incremental() %}
    -- a constant: it reaches the staging view's load_times, and older loads' row groups are skipped
    where loaded_at >= {{ lookback_since('last_loaded_at') }}
    {%- endif %}

),

{{ campaign_attribute_ctes(
    'recent',
    ['provider', 'account_id', 'campaign_id', 'received_at', 'loaded_at', 'campaign_name',
     'subject', 'sender_name', 'has_variations', 'last_loaded_at'],
    'received_at',
    ['loaded_at desc nulls last', 'campaign_name asc nulls last', 'subject asc nulls last',
     'sender_name asc nulls last'],
    {'has_variations': dbt.bool_or('has_variations'), 'last_loaded_at': 'max(last_loaded_at)'},
) }}

select * from campaign_rows
