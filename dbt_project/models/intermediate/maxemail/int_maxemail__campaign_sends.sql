{#-
    One row per account_id and email id of Maxemail's sends: the smallest message type any send
    carries and the newest loaded_at. Incremental (delete+insert on campaign_key): a run folds
    the sends loaded within the lookback of the newest `last_loaded_at` here into the stored rows
    of their email ids (macro min_and_newest_per_key; min and max give what they give over all
    sends).
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
        cast('maxemail' as {{ dbt.type_string() }}) as provider,
        account_id,
        email_id,
        message_type,
        loaded_at as last_loaded_at

    from {{ ref('stg_maxemail__sends') }}
    {%- if is_incremental() %}
    where loaded_at >= {{ lookback_since('last_loaded_at') }}
    {%- endif %}

),

{{ min_and_newest_per_key('recent', ['provider', 'account_id', 'email_id'], 'message_type') }}
