{#-
    The staging select of a provider's `export_jobs` ledger (CONTRACTS.md section 3): every
    provider writes the same ledger, so every stg_<provider>__export_jobs is this one query.
-#}
{% macro stg_export_jobs(provider) %}
with

fields as (

    {{ staging_source(source(provider, 'export_jobs'), export_ledger_columns()) }}

),

renamed as (

    select
        -- ids
        provider,
        resource,
        account_id,
        report_id,

        -- strings
        status as export_status,
        error as error_message,

        -- numbers
        cast(attempts as {{ dbt.type_int() }}) as attempt_count,
        cast(rows as {{ dbt.type_bigint() }}) as row_count,
        cast(bytes as {{ dbt.type_bigint() }}) as byte_count,
        cast(seconds as {{ dbt.type_float() }}) as duration_seconds,

        -- timestamps (the ledger writes RFC 3339 text or timestamptz; both cast the same way)
        {{ rfc3339_to_timestamp('window_start') }} as window_start_at,
        {{ rfc3339_to_timestamp('window_end') }} as window_end_at,
        {{ rfc3339_to_timestamp('requested_at') }} as requested_at,
        {{ rfc3339_to_timestamp('finished_at') }} as finished_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
{% endmacro %}
