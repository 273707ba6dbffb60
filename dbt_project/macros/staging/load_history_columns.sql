{#-
    The `load_history` table every loader writes, one row per run (docs/CONTRACTS.md 21;
    pipelines/common/history.py), for staging_source (a table or column the loader has not
    created reads as typed nulls). Shared by the providers' `stg_<provider>__load_history`.
-#}
{% macro load_history_columns() -%}
    {{ return([
        {'name': 'run_id', 'datatype': dbt.type_string()},
        {'name': 'provider', 'datatype': dbt.type_string()},
        {'name': 'started_at', 'datatype': dbt.type_string()},
        {'name': 'finished_at', 'datatype': dbt.type_string()},
        {'name': 'seconds', 'datatype': 'double precision'},
        {'name': 'status', 'datatype': dbt.type_string()},
        {'name': 'loads', 'datatype': dbt.type_bigint()},
        {'name': 'rows', 'datatype': dbt.type_bigint()},
        {'name': 'export_jobs', 'datatype': dbt.type_bigint()},
        {'name': 'error', 'datatype': dbt.type_string()},
        {'name': '_dlt_load_id', 'datatype': dbt.type_string()},
    ]) }}
{%- endmacro %}
