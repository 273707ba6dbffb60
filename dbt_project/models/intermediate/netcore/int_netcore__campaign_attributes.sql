{#-
    One row per account_id and xapiheader (campaign_id) of Netcore's messages: the name (tags),
    subject and sender of the campaign's most recently requested message (ties: the largest
    message id, then the latest load), and the newest loaded_at. Incremental (delete+insert on
    campaign_key): a run merges the messages loaded within the lookback of the newest
    `last_loaded_at` here with the stored rows of their campaigns (macro
    campaign_attribute_ctes). A re-read message replaces its raw row (merge on trid) with one of
    a later load, which is among the new rows and wins the tie with its stored copy.
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
        cast('netcore' as {{ dbt.type_string() }}) as provider,
        account_id,
        campaign_id,
        requested_at,
        message_id,
        loaded_at,
        campaign_name,
        subject,
        sender_address,
        loaded_at as last_loaded_at

    from {{ ref('stg_netcore__messages') }}
    where campaign_id is not null
    {%- if is_incremental() %}
        and loaded_at >= {{ lookback_since('last_loaded_at') }}
    {%- endif %}

),

{{ campaign_attribute_ctes(
    'recent',
    ['provider', 'account_id', 'campaign_id', 'requested_at', 'message_id', 'loaded_at',
     'campaign_name', 'subject', 'sender_address', 'last_loaded_at'],
    'requested_at',
    ['message_id desc nulls last', 'loaded_at desc nulls last'],
    {'last_loaded_at': 'max(last_loaded_at)'},
) }}

select * from campaign_rows
