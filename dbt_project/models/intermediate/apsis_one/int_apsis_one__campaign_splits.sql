{#-
    One row per account_id, activity (campaign_id) and split sub-activity (split_id) seen on
    APSIS One's events (the winning partition is sent under the main activity id and is not a
    split of its own), with its newest loaded_at. Incremental (delete+insert on split_key): a run
    adds the splits of the events loaded within the lookback of the newest `last_loaded_at` here;
    a split's newest loaded_at is among those events whenever it has any, so the rows are those
    of a full build.
-#}

{{
    config(
        materialized='incremental',
        unique_key='split_key',
    )
}}

with

events as (

    select account_id, campaign_id, split_id, loaded_at
    from {{ ref('stg_apsis_one__email_events') }}
    where split_id <> campaign_id
    {%- if is_incremental() %}
        and loaded_at >= {{ lookback_since('last_loaded_at') }}
    {%- endif %}

)

select
    account_id,
    campaign_id,
    split_id,
    {{ email_event_id(['account_id', 'campaign_id', 'split_id']) }} as split_key,
    max(loaded_at) as last_loaded_at

from events
group by account_id, campaign_id, split_id
