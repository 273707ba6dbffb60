{#-
    The quarantine report (CONTRACTS.md 14): one row per provider and raw event type that the
    seed email_event_type_map does not map, from `events` (fct_email_events, where such events
    are kept as event_type 'unknown'): how many, the first and last day they occurred, and a
    `message` naming all of it and the fix. Used by the singular test
    assert_no_unmapped_event_types, which also prints each message (warn_unmapped_event_types).
-#}
{% macro unmapped_event_types(events) -%}
    select
        provider,
        raw_event_type,
        event_count,
        first_occurred_on,
        last_occurred_on,
        {{ dbt.concat([
            'provider',
            "': event type '''",
            "coalesce(raw_event_type, '(empty)')",
            "''' is not mapped: '",
            'cast(event_count as ' ~ dbt.type_string() ~ ')',
            "case when event_count = 1 then ' event' else ' events' end",
            "' in fct_email_events quarantined as event_type ''unknown'' ('",
            'cast(first_occurred_on as ' ~ dbt.type_string() ~ ')',
            "' to '",
            'cast(last_occurred_on as ' ~ dbt.type_string() ~ ')',
            "'): they count in no report. Map it in seeds/email_event_type_map.csv, "
            ~ "then run dbt build --full-refresh'",
        ]) }} as message

    from (

        select
            provider,
            raw_event_type,
            count(*) as event_count,
            cast(min(occurred_at) as date) as first_occurred_on,
            cast(max(occurred_at) as date) as last_occurred_on

        from {{ events }}
        where event_type = 'unknown'
        group by
            provider,
            raw_event_type

    ) as unmapped
{%- endmacro %}


{#-
    Prints one dbt warning per row of unmapped_event_types(events) while a build or test runs
    (not at parse or compile, and not before `events` exists), so the console names each value:
    a test's own output only says how many rows it found. With --warn-error they are errors.
-#}
{% macro warn_unmapped_event_types(events) -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- set relation = load_relation(events) -%}
        {%- if relation is not none -%}
            {%- set found = run_query(
                "select * from (" ~ unmapped_event_types(relation) ~ ") as unmapped"
                ~ " order by provider, raw_event_type"
            ) -%}
            {%- for row in found.rows -%}
                {%- do exceptions.warn(row['message']) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
