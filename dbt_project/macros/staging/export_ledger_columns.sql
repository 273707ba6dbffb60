{#-
    The `export_jobs` ledger every loader writes (CONTRACTS.md section 3;
    pipelines/common/ledger.py), for staging_source (a table or column the loader has not
    created reads as typed nulls). Shared by the providers' `stg_<provider>__export_jobs`.
-#}
{% macro export_ledger_columns() -%}
    {{ return([
        {'name': 'provider', 'datatype': dbt.type_string()},
        {'name': 'resource', 'datatype': dbt.type_string()},
        {'name': 'account_id', 'datatype': dbt.type_string()},
        {'name': 'report_id', 'datatype': dbt.type_string()},
        {'name': 'window_start', 'datatype': dbt.type_string()},
        {'name': 'window_end', 'datatype': dbt.type_string()},
        {'name': 'status', 'datatype': dbt.type_string()},
        {'name': 'attempts', 'datatype': dbt.type_bigint()},
        {'name': 'rows', 'datatype': dbt.type_bigint()},
        {'name': 'bytes', 'datatype': dbt.type_bigint()},
        {'name': 'seconds', 'datatype': dbt.type_float()},
        {'name': 'error', 'datatype': dbt.type_string()},
        {'name': 'requested_at', 'datatype': dbt.type_string()},
        {'name': 'finished_at', 'datatype': dbt.type_string()},
        {'name': '_dlt_load_id', 'datatype': dbt.type_string()},
    ]) }}
{%- endmacro %}
