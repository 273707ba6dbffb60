{#-
    union_providers(entity): the rows of every enabled provider's conform model
    `int_<provider>__<entity>` (registry: macros/providers.sql), `union all` by column name: each
    part selects the columns of conformed_columns(entity) by name, in the contract's order, so a
    provider model's own column order does not matter and a missing column fails the build
    naming it. A disabled provider's model is never ref'd. With no enabled provider having the
    entity: no rows, the same typed columns.
-#}
{% macro union_providers(entity) -%}
    {%- set columns = conformed_columns(entity) -%}
    {%- for provider in enabled_providers(entity) -%}
    {%- if not loop.first %}

    union all

    {% endif -%}
    select
        {%- for column in columns %}
        {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_' ~ provider ~ '__' ~ entity) }}
    {%- else -%}
    -- no enabled provider has {{ entity }}: no rows, the same columns
    {{ staging_empty_relation(columns) }}
    {%- endfor %}
{%- endmacro %}


{#-
    The conformed shape of each entity, in order, with its types: what every provider's
    `int_<provider>__<entity>` gives (names and types) and what union_providers selects.
    email_events is the canonical event contract (DESIGN.md) before pseudonymisation, event-type
    mapping and bounce decoding, which follow the union (int_email_events__pseudonymized,
    __type_mapped, __bounce_decoded): the address itself, the raw type, the provider's own
    fields that tell two events of one recipient, message and type apart (`event_identity`),
    the provider's own bounce class and text where it gives them, and the machine signals
    (issue 16): the opener's or clicker's IP address and the provider's own machine flag
    (`provider_machine_flag`, e.g. SendGrid `sg_machine_open`; none of the four sends one).
-#}
{% macro conformed_columns(entity) -%}
    {%- set string, timestamp = dbt.type_string(), dbt.type_timestamp() -%}
    {%- set shapes = {
        'email_events': [
            ('provider', string),
            ('account_id', string),
            ('message_type', string),
            ('campaign_id', string),
            ('split_id', string),
            ('variation', string),
            ('email_address', string),
            ('raw_event_type', string),
            ('event_identity', string),
            ('source_event_id', string),
            ('occurred_at', timestamp),
            ('received_at', timestamp),
            ('device', string),
            ('device_raw', string),
            ('country', string),
            ('link_id', string),
            ('link_url', string),
            ('link_title', string),
            ('bounce_code', dbt.type_int()),
            ('provider_bounce_class', string),
            ('provider_bounce_reason', string),
            ('unsubscribe_topic', string),
            ('complaint_source', string),
            ('loaded_at', timestamp),
            ('ip_address', string),
            ('provider_machine_flag', dbt.type_boolean()),
        ],
        'email_campaigns': [
            ('provider', string),
            ('account_id', string),
            ('campaign_id', string),
            ('message_type', string),
            ('campaign_name', string),
            ('subject', string),
            ('sender_name', string),
            ('section', string),
            ('campaign_status', string),
            ('scheduled_sent_at', timestamp),
            ('split_count', dbt.type_bigint()),
            ('has_variations', dbt.type_boolean()),
        ],
        'email_contacts': [
            ('provider', string),
            ('account_id', string),
            ('contact_id', string),
            ('created_at', timestamp),
        ],
        'email_link_totals': [
            ('link_key', string),
            ('total_click_count', dbt.type_bigint()),
        ],
    } -%}
    {%- if entity not in shapes -%}
        {{ exceptions.raise_compiler_error(
            'conformed_columns: no conformed shape ' ~ entity
            ~ '; known: ' ~ shapes.keys() | join(', ')
        ) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for name, datatype in shapes[entity] -%}
        {%- do columns.append({'name': name, 'datatype': datatype}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{#-
    `cast(null as <type>) as <name>` for each of `names`, columns of conformed_columns(entity)
    that a provider does not have: typed as the conformed shape says, so every provider's model
    gives the same types. An unknown name fails at compile time.
-#}
{% macro conformed_nulls(entity, names) -%}
    {%- set types = {} -%}
    {%- for column in conformed_columns(entity) -%}
        {%- do types.update({column.name: column.datatype}) -%}
    {%- endfor -%}
    {%- for name in names -%}
        {%- if name not in types -%}
            {{ exceptions.raise_compiler_error(
                'conformed_nulls: ' ~ name ~ ' is no column of conformed_columns(' ~ entity ~ ')'
            ) }}
        {%- endif -%}
        cast(null as {{ types[name] }}) as {{ name }}{{ ',\n        ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
