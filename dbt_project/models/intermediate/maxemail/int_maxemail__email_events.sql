{#-
    Maxemail's email events in the conformed shape (macro conformed_columns('email_events')): one
    row per row of the six Quick Data Export methods (sent, opened, clicked, responded, bounced,
    unsubscribed), all four services (message_type); rows re-read by overlapping export windows
    included (int_email_events__deduplicated collapses them).
-#}

{#- (export staging model, its event time, the detail columns it has) -#}
{%- set exports = [
    ('sends', 'sent_at', []),
    ('opens', 'opened_at', []),
    ('clicks', 'clicked_at', ['link_url']),
    ('responses', 'first_clicked_at', []),
    ('bounces', 'bounced_at', ['bounce_code', 'bounce_type', 'bounce_reason']),
    ('unsubscribes', 'unsubscribed_at', ['unsubscribe_type']),
] %}
{#- the detail columns of some exports, typed nulls in the others -#}
{%- set details = [
    ('link_url', dbt.type_string()),
    ('bounce_code', dbt.type_int()),
    ('bounce_type', dbt.type_string()),
    ('bounce_reason', dbt.type_string()),
    ('unsubscribe_type', dbt.type_string()),
] %}

with

{% for export, _, _ in exports -%}
{{ export }} as (

    select * from {{ ref('stg_maxemail__' ~ export) }}

),

{% endfor -%}
export_rows as (

    -- every export method's rows in one shape; `responded` (the recipient's first click) is a
    -- click without a link
    {% for export, occurred_at, present in exports -%}
    select
        account_id,
        message_type,
        email_id,
        email_address,
        raw_event_type,
        {{ occurred_at }} as occurred_at,
        {% for column, datatype in details -%}
        {{ column if column in present else 'cast(null as ' ~ datatype ~ ')' }} as {{ column }},
        {% endfor -%}
        loaded_at
    from {{ export }}
    {% if not loop.last %}
    union all

    {% endif -%}
    {% endfor %}
),

conformed as (

    select
        'maxemail' as provider,
        account_id,
        message_type,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        email_address,
        raw_event_type,
        -- no provider event id and no receipt time: a row is identified by the raw merge key
        -- (message type, timestamp, url), so a row re-read by an overlapping export window keeps
        -- its event_id, while an open or click row re-exported with a later (latest-open)
        -- timestamp is a new event
        {{ identity_string(['message_type', 'occurred_at', 'link_url']) }} as event_identity,
        occurred_at,
        occurred_at as received_at,
        link_url,
        bounce_code,
        -- the class of a bounce whose code the seed does not know (CONTRACTS.md 5.3)
        case
            when raw_event_type <> 'bounced' then null
            when bounce_type = 'permanent' then 'hard'
            else 'soft'
        end as provider_bounce_class,
        bounce_reason as provider_bounce_reason,
        unsubscribe_type as unsubscribe_topic,
        loaded_at,
        -- not in the exports
        {{ conformed_nulls('email_events', [
            'split_id', 'variation', 'source_event_id', 'device', 'device_raw', 'country',
            'link_id', 'link_title', 'complaint_source', 'ip_address', 'provider_machine_flag',
        ]) }}

    from export_rows

)

select * from conformed
