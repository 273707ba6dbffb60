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
    coalesce(ip_address, '') asc,
    coalesce(cast(bounce_code as {{ dbt.type_string() }}), '') asc
{%- endmacro %}


{#-
    first_receipt_ctes(events): two CTEs, `duplicated_event_ids` and `first_receipts`, that keep
    one row per event_id of the CTE or relation `events` (its canonical event columns): the copy
    that email_event_dedup_order puts first. Only the ids with more than one copy (under 1 % of
    the rows: retries and re-read windows) go through the window; the others pass as they are.
    A row_number over every row sorted all of them with their payload, about 40 % of a full
    refresh of fct_email_events (DECISIONLOG "The dedup window only where an id has copies").
    `events` is read three times: DuckDB and PostgreSQL (12+) materialize a CTE that is
    referenced more than once, so the view chain behind it runs once.
-#}
{% macro first_receipt_ctes(events) -%}
duplicated_event_ids as (

    select event_id

    from {{ events }}
    group by event_id
    having count(*) > 1

),

first_receipts as (

    select
        {{ canonical_event_columns() }}

    from {{ events }}
    where event_id not in (select event_id from duplicated_event_ids)

    union all

    select
        {{ canonical_event_columns() }}

    from (

        select
            *,
            row_number() over (
                partition by event_id
                order by {{ email_event_dedup_order() }}
            ) as receipt_rank

        from {{ events }}
        where event_id in (select event_id from duplicated_event_ids)

    ) as copies
    where receipt_rank = 1

)
{%- endmacro %}


{#- var('expose_email_address') as a boolean, whether it came from YAML or --vars text. -#}
{% macro expose_email_address() -%}
    {{ return((var('expose_email_address', false) | string | lower) in ['true', '1', 'yes']) }}
{%- endmacro %}


{#-
    The columns of the canonical event contract (DESIGN.md), in order: the select list of every
    model that passes events on unchanged (int_email_events__deduplicated, fct_email_events,
    which adds the machine flags after them: macro machine_flag_columns). The machine signals
    (ip_address, provider_machine_flag; issue 16) come last, so a fact built before them gains
    them at its end (on_schema_change append_new_columns) in the same order as a new build.
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
        'ip_address',
        'provider_machine_flag',
    ] -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}
