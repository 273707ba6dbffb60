{#- One row per export job of every enabled provider with a ledger (stg_<provider>__export_jobs). -#}
{%- set timestamp, string = dbt.type_timestamp(), dbt.type_string() -%}
with

export_jobs as (

    {{ union_staging('export_jobs', [
        {'name': 'provider', 'datatype': string},
        {'name': 'resource', 'datatype': string},
        {'name': 'account_id', 'datatype': string},
        {'name': 'report_id', 'datatype': string},
        {'name': 'export_status', 'datatype': string},
        {'name': 'error_message', 'datatype': string},
        {'name': 'attempt_count', 'datatype': dbt.type_int()},
        {'name': 'row_count', 'datatype': dbt.type_bigint()},
        {'name': 'duration_seconds', 'datatype': dbt.type_float()},
        {'name': 'requested_at', 'datatype': timestamp},
        {'name': 'finished_at', 'datatype': timestamp},
    ], export_ledger_providers()) }}

)

select * from export_jobs
