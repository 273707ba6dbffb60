{#-
    The select of one raw table that every staging model starts from: the model's expected
    columns (macros/staging/<provider>_columns.sql), whatever the loader has created so far.

    dlt creates a table only once a row reaches it and a column only once a row holds a value
    (docs/CONTRACTS.md 12): an APSIS One account without split tests has no
    `activities__splits`, a Benchmark key without `reports:read` no `report_*` table. So, when the
    model runs:
    * the table exists: every expected column, `cast(null as <type>)` for those it lacks
      (fill_staging_columns);
    * the table does not exist: a typed empty relation with the same columns
      (`select cast(null as <type>) as <column>, ... where 1 = 0`), and a log line naming it;
    * parse time (no database) and unit tests (the source is a fixture CTE): the expected
      columns by name.
    `source_relation` is the model's own `source(...)`, so lineage, `dbt ls` and freshness still
    see the source whether or not the table exists yet.

    Whether the table exists is asked of the warehouse (its columns, information_schema), never
    of dbt's relation cache: dbt lists an uncached schema such as `raw_netcore` in the first model
    that asks, and adds its tables to the cache one by one, while a model on another thread sees
    the schema as cached from the first table on. `adapter.get_relation` then missed a table that
    existed, and the model read it as empty: a whole raw table silently absent from the marts
    under load (DECISIONLOG "Staging asks the warehouse, not dbt's cache").
-#}
{% macro staging_source(source_relation, expected_columns) -%}
    {%- if execute and not source_relation.is_cte -%}
        {%- set present = [] -%}
        {%- for column in adapter.get_columns_in_relation(source_relation) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
        {%- if present | length == 0 -%}
            {{ log(
                model.name ~ ': ' ~ source_relation.schema ~ '.' ~ source_relation.identifier
                ~ ' does not exist: no row has reached it yet (docs/CONTRACTS.md 12); read as'
                ~ ' empty',
                info=true,
            ) }}
            {{- staging_empty_relation(expected_columns) -}}
        {%- else -%}
    select
        {{ fill_staging_columns(present, expected_columns) }}
    from {{ source_relation }}
        {%- endif -%}
    {%- else -%}
    select
        {%- for column in expected_columns %}
        {{ staging_column_name(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ source_relation }}
    {%- endif -%}
{%- endmacro %}

{#- A relation with the expected columns, typed, and no row. -#}
{% macro staging_empty_relation(expected_columns) -%}
    select
        {%- for column in expected_columns %}
        cast(null as {{ column.datatype }}) as {{ staging_column_name(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    where 1 = 0
{%- endmacro %}

{#- A column's name as selected: quoted when it is an SQL keyword (`"quote": true`). -#}
{% macro staging_column_name(column) -%}
    {{- adapter.quote(column.name) if column.get('quote') else column.name -}}
{%- endmacro %}
