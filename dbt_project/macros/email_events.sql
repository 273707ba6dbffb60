{#-
    identity_string: the given SQL expressions as one '|'-separated text, nulls as ''.
    Staging turns '' into null, so '' and null never need to be told apart.
-#}
{% macro identity_string(fields) -%}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{#- event_id: md5 hex of identity_string(fields). -#}
{% macro email_event_id(fields) -%}
    {{ dbt.hash(identity_string(fields)) }}
{%- endmacro %}


{#-
    The order that picks the surviving copy of an event_id: the first receipt, then the first
    load, then the remaining payload, so that ties resolve the same way on every run and engine.
    Shared by int_email_events__deduplicated and the incremental branch of fct_email_events.
-#}
{% macro email_event_dedup_order() -%}
    received_at asc,
    loaded_at asc,
    coalesce(device_raw, '') asc,
    coalesce(country, '') asc,
    coalesce(link_url, '') asc,
    coalesce(cast(bounce_code as {{ dbt.type_string() }}), '') asc
{%- endmacro %}


{#- var('expose_email_address') as a boolean, whether it came from YAML or --vars text. -#}
{% macro expose_email_address() -%}
    {{ return((var('expose_email_address', false) | string | lower) in ['true', '1', 'yes']) }}
{%- endmacro %}


{#-
    The columns of the canonical event contract (DESIGN.md), in order: the select list of every
    model that passes events on unchanged (int_email_events__deduplicated, fct_email_events).
-#}
{% macro canonical_event_columns() -%}
    {%- set columns = [
        'event_id',
        'provider',
        'account_id',
        'message_type',
        'campaign_id',
        'split_id',
        'variation',
        'recipient_key',
        'recipient_domain',
        'email_address',
        'event_type',
        'raw_event_type',
        'occurred_at',
        'received_at',
        'device',
        'device_raw',
        'country',
        'link_id',
        'link_url',
        'link_title',
        'bounce_code',
        'bounce_class',
        'bounce_reason',
        'unsubscribe_topic',
        'complaint_source',
        'source_event_id',
        'loaded_at',
    ] -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}
