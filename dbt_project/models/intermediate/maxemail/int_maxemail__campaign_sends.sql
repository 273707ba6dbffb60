{#-
    One row per account_id and email id of Maxemail's sends: the smallest message type any send
    carries and the newest loaded_at. Incremental (delete+insert on campaign_key): a run folds
    the sends loaded within the lookback of the newest `last_loaded_at` here into the stored rows
    of their email ids (macro stored_and_recent_rows; min and max give what they give over all
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

candidates as (

    {{ stored_and_recent_rows(
        'recent',
        ['provider', 'account_id', 'email_id', 'message_type', 'last_loaded_at'],
        ['provider', 'account_id', 'email_id'],
    ) }}

)

select
    provider,
    account_id,
    email_id,
    min(message_type) as message_type,
    max(last_loaded_at) as last_loaded_at,
    {{ email_event_id(['provider', 'account_id', 'email_id']) }} as campaign_key

from candidates
group by provider, account_id, email_id
