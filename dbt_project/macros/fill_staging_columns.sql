{#-
    Fivetran-style tolerant staging: select every expected column of an existing raw table,
    emitting `cast(null as <type>)` for columns the loader has not created (dlt creates no column
    for a field that was null or absent in every row so far, e.g. `error` of the export ledger).
    Called by staging_source (macros/staging/staging_source.sql), which also covers a table that
    does not exist yet; staging models call that one.

    expected_columns: list of {"name": ..., "datatype": ...}, plus `"quote": true` for a name
    that is an SQL keyword (Benchmark's `from`): it is then selected quoted, under the same name.
    present: the lower-cased names of the table's columns, as the warehouse lists them.
-#}
{% macro fill_staging_columns(present, expected_columns) -%}
    {%- for column in expected_columns %}
        {%- set identifier = staging_column_name(column) %}
        {%- if (column.name | lower) in present %}
        {{ identifier }}{{ ',' if not loop.last }}
        {%- else %}
        cast(null as {{ column.datatype }}) as {{ identifier }}{{ ',' if not loop.last }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
