{#-
    Unit-test fixtures of raw tables, typed from the staging model's expected columns.

    A staging unit test gives rows for a source (`input: source('netcore', 'events')`). dbt's own
    get_fixture_sql (dbt-core 1.11, global_project/macros/unit_test_sql) types such rows from the
    raw table in the warehouse: the test then errors when the table does not exist yet and
    rejects a column the loader has not created, on exactly the accounts staging_source reads as
    empty (docs/CONTRACTS.md 12). This project-level override types the fixture of a source that
    has an expected-columns macro (`<source>__<table>_columns()`, macros/staging/) from that
    declaration instead: every expected column, the given values cast to its type, null for the
    others; a column that is not declared is an error, as in dbt's macro. Every other fixture
    (models, seeds, `expect`, sources without such a macro) goes to dbt's own macro.
-#}
{% macro get_fixture_sql(rows, column_name_to_data_types) %}
    {%- set columns_macro = none -%}
    {%- if model.source_name and not column_name_to_data_types -%}
        {%- set columns_macro = email_analytics.get(model.source_name ~ '__' ~ model.name ~ '_columns') -%}
    {%- endif -%}
    {%- if columns_macro is none -%}
        {{- return(dbt.get_fixture_sql(rows, column_name_to_data_types)) -}}
    {%- endif -%}
    {%- set types = {} -%}
    {%- set names = {} -%}
    {%- for column in columns_macro() -%}
        {%- do types.update({column.name | lower: column.datatype}) -%}
        {%- do names.update({column.name | lower: staging_column_name(column)}) -%}
    {%- endfor -%}
    {{- validate_fixture_rows(rows, none) -}}
    {%- set selects = [] -%}
    {%- for row in (rows if rows else [{}]) -%}
        {%- set values = format_row(row, types) -%}
        {%- set cells = [] -%}
        {%- for name, datatype in types.items() -%}
            {%- set value = values[name] if name in values else safe_cast('null', datatype) -%}
            {%- do cells.append(value ~ ' as ' ~ names[name]) -%}
        {%- endfor -%}
        {%- do selects.append('select ' ~ cells | join(', ')) -%}
    {%- endfor %}
-- Fixture for {{ model.name }}, typed from {{ model.source_name }}__{{ model.name }}_columns()
{{ selects | join('\nunion all\n') }}{{ '\nlimit 0' if not rows }}
{%- endmacro %}
