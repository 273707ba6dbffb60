{#-
    dbt's `where` config of a data test, with one form of our own: `changed_rows(<column>)` tests
    only the rows an incremental run can have changed, those whose `<column>` (loaded_at,
    last_loaded_at) lies within var `event_lookback_hours` of the newest value in the tested
    table: the window the incremental facts re-read (macro loaded_within_lookback). With var
    `data_tests_full` true (`make test-data-full`, CI) it tests every row. Any other `where` is
    dbt's own (this is dbt's default__get_where_subquery otherwise).

    `changed_loads(<column>)` is the same window for a view over a raw table whose `<column>`
    is dlt's load id as text (`dlt_load_id`: epoch seconds, 10 digits before the point until
    2286, so text order is load order on DuckDB and PostgreSQL): the newest load id is read
    when the test runs and the bound is written as a text literal, `<column> >= '<newest - the
    lookback, in whole seconds>'`. A constant on a stored column goes through the view down to
    the raw table's scan, where the row groups of older loads are skipped by their min/max;
    `changed_rows(loaded_at)` compares a computed timestamp with a subquery, which still scans
    and converts every row (measured on 860k APSIS One events: 0.8 CPU s against 0.01). It
    needs a view without a window over history (a window keeps the filter above it).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and where.startswith('changed_rows(') and where.endswith(')') -%}
        {%- if var('data_tests_full', false) | string | lower == 'true' -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set column = where[13:-1] | trim -%}
        {%- set where -%}
            {{ column }} >= (
                select {{ lookback_start('max(' ~ column ~ ')') }}
                from {{ relation }}
            )
        {%- endset -%}
    {%- elif where and where.startswith('changed_loads(') and where.endswith(')') -%}
        {%- if var('data_tests_full', false) | string | lower == 'true' or not execute -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set column = where[14:-1] | trim -%}
        {%- set newest = run_query(
            'select max(' ~ column ~ ') from ' ~ relation
        ).columns[0].values()[0] -%}
        {%- if newest is none -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set bound = (newest | float - 3600 * var('event_lookback_hours') | int) | int -%}
        {%- set where = column ~ " >= '" ~ bound ~ "'" -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
