{#- One row per loader run of every enabled provider (stg_<provider>__load_history). -#}
{%- set timestamp, string = dbt.type_timestamp(), dbt.type_string() -%}
with

runs as (

    {{ union_staging('load_history', [
        {'name': 'run_id', 'datatype': string},
        {'name': 'provider', 'datatype': string},
        {'name': 'run_status', 'datatype': string},
        {'name': 'error_message', 'datatype': string},
        {'name': 'load_count', 'datatype': dbt.type_bigint()},
        {'name': 'row_count', 'datatype': dbt.type_bigint()},
        {'name': 'export_job_count', 'datatype': dbt.type_bigint()},
        {'name': 'duration_seconds', 'datatype': 'double precision'},
        {'name': 'started_at', 'datatype': timestamp},
        {'name': 'finished_at', 'datatype': timestamp},
    ], enabled_providers()) }}

)

select * from runs
