{#-
    Step 1 after the union: the recipient becomes its keyed pseudonym (recipient_key, DECISIONLOG
    "Recipient pseudonym") and domain, and each row gets its event_id (md5 of provider, account,
    campaign, split, recipient_key, raw type and the provider's event_identity: an event's id
    names its recipient by the pseudonym, never the address). The address itself is dropped
    here (a null email_address), unless var `expose_email_address` is true.
-#}

with

events as (

    select * from {{ ref('int_email_events__unioned') }}

),

keyed as (

    select
        *,
        {{ recipient_key('email_address') }} as recipient_key,
        nullif({{ dbt.split_part('email_address', "'@'", 2) }}, '') as recipient_domain

    from events

),

final as (

    select
        {{ email_event_id([
            'provider', 'account_id', 'campaign_id', 'split_id', 'recipient_key',
            'raw_event_type', 'event_identity',
        ]) }} as event_id,
        recipient_key,
        recipient_domain,
        {% if expose_email_address() -%}
        email_address,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as email_address,
        {%- endif %}
        -- every other conformed column as it is (event_identity is in event_id)
        {%- for column in conformed_columns('email_events')
            if column.name not in ['email_address', 'event_identity'] %}
        {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}

    from keyed

)

select * from final
