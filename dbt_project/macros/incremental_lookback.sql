{#-
    For an incremental model's run: the rows of `relation` loaded (`loaded_at`) within var
    `event_lookback_hours` of their provider's newest load already in the model (`this_loaded_at`,
    a column of {{ this }}), so a load that committed after the previous run is never skipped.
    One watermark per provider: a provider whose loads stalled for a while is not skipped because
    another provider's newer loads moved a shared watermark past it; a provider not in the model
    yet (newly enabled) is read in full. fct_email_events and fct_email_deliveries read their
    input through it.

    The watermarks are read from {{ this }} when the model runs (macro lookback_watermarks) and
    written into the SQL as constants: a filter on constants is pushed down through the views
    (the union, pseudonymisation, mapping, decoding) to each provider's staging, so the hashing
    and joins run on the recent rows only. A join with a grouped subquery of {{ this }} (the
    first version) made every incremental run hash all history (DECISIONLOG.md "Where a dbt
    build's time goes").
-#}
{% macro loaded_within_lookback(relation, this_loaded_at='loaded_at') -%}
    select recent.*

    from {{ relation }} as recent
    where {{ loaded_since_condition('recent', this_loaded_at) }}
{%- endmacro %}


{#- The SQL timestamp `event_lookback_hours` before `newest` (an SQL expression): a lookback's start. -#}
{% macro lookback_start(newest) -%}
    {{ dbt.dateadd('hour', -1 * var('event_lookback_hours') | int, newest) }}
{%- endmacro %}


{#- provider -> the earliest loaded_at a run re-reads (text, naive UTC), from {{ this }}. -#}
{% macro lookback_watermarks(this_loaded_at='loaded_at') -%}
    {%- set watermarks = {} -%}
    {%- if execute -%}
        {{- lookback_column_check(this_loaded_at) -}}
        {%- set query -%}
            select
                provider,
                cast(
                    {{ lookback_start('max(' ~ this_loaded_at ~ ')') }} as {{ dbt.type_string() }}
                ) as loaded_since

            from {{ this }}
            group by provider
        {%- endset -%}
        {%- for row in run_query(query).rows -%}
            {%- do watermarks.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(watermarks) }}
{%- endmacro %}


{#-
    The rows of `alias` (columns provider, loaded_at) inside the lookback: per provider
    `loaded_at >= its watermark`; a provider without a watermark (not in {{ this }} yet) in full.
-#}
{% macro loaded_since_condition(alias, this_loaded_at='loaded_at') -%}
    {%- if model.resource_type == 'unit_test' -%}
        {#- a unit test gives {{ this }} as rows (a CTE): the same rule as a correlated subquery -#}
        {%- set since -%}
            (
                select {{ lookback_start('max(' ~ this_loaded_at ~ ')') }}
                from {{ this }} as watermark
                where watermark.provider = {{ alias }}.provider
            )
        {%- endset -%}
        ({{ since }} is null or {{ alias }}.loaded_at >= {{ since }})
    {%- else -%}
    {%- set watermarks = lookback_watermarks(this_loaded_at) -%}
    {%- if not watermarks -%}
        1 = 1
    {%- else -%}
        (
            {{ alias }}.provider not in (
                {%- for provider in watermarks %}'{{ provider }}'{{ ', ' if not loop.last }}{% endfor -%}
            )
            {%- for provider, since in watermarks.items() %}
            or ({{ alias }}.provider = '{{ provider }}'
                and {{ alias }}.loaded_at >= cast('{{ since }}' as {{ dbt.type_timestamp() }}))
            {%- endfor %}
        )
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    Stops with a clear error when {{ this }} lacks the watermark column: a table built by a
    version of the project where the model was not incremental yet (or had no such column).
-#}
{% macro lookback_column_check(this_loaded_at) -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if this_loaded_at | lower not in names -%}
        {{ exceptions.raise_compiler_error(
            this ~ " has no column " ~ this_loaded_at ~ ": it was built before " ~ model.name
            ~ " became incremental. Rebuild it once: make transform DBT_ARGS=\"--full-refresh -s "
            ~ model.name ~ "\" (README, 'Daily runs and when to --full-refresh')"
        ) }}
    {%- endif -%}
{%- endmacro %}


{#-
    For an incremental model of one provider's rows (no `provider` column), e.g. a staging
    table: the earliest `this_loaded_at` a run re-reads, `event_lookback_hours` before the newest
    in {{ this }}, as a SQL timestamp constant (a constant reaches the scans below it); with an
    empty {{ this }}, a constant before every load.
-#}
{% macro lookback_since(this_loaded_at='loaded_at') -%}
    {%- set since = none -%}
    {%- if execute -%}
        {{- lookback_column_check(this_loaded_at) -}}
        {%- set query -%}
            select cast(
                {{ lookback_start('max(' ~ this_loaded_at ~ ')') }} as {{ dbt.type_string() }}
            )
            from {{ this }}
        {%- endset -%}
        {%- set since = run_query(query).columns[0].values()[0] -%}
    {%- endif -%}
    cast('{{ since or "1970-01-01 00:00:00" }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
