{#-
    dbt's `where` config of a data test, with one form of our own: `changed_rows(<column>)` tests
    only the rows an incremental run can have changed, those whose `<column>` (loaded_at,
    last_loaded_at) lies within var `event_lookback_hours` of the newest value in the tested
    table: the window the incremental facts re-read (macro loaded_within_lookback). With var
    `data_tests_full` true (`make test-data-full`, CI) it tests every row. Any other `where` is
    dbt's own (this is dbt's default__get_where_subquery otherwise).
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
                select {{ dbt.dateadd(
                    'hour', -1 * var('event_lookback_hours') | int, 'max(' ~ column ~ ')'
                ) }}
                from {{ relation }}
            )
        {%- endset -%}
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
