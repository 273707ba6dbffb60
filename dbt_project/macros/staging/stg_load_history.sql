{#-
    The staging select of a provider's `load_history` (docs/CONTRACTS.md 21): every loader
    writes the same table, so every stg_<provider>__load_history is this one query.
-#}
{% macro stg_load_history(provider) %}
with

fields as (

    {{ staging_source(source(provider, 'load_history'), load_history_columns()) }}

),

renamed as (

    select
        -- ids
        run_id,
        provider,

        -- strings
        status as run_status,
        error as error_message,

        -- numbers
        cast(loads as {{ dbt.type_bigint() }}) as load_count,
        cast(rows as {{ dbt.type_bigint() }}) as row_count,
        cast(export_jobs as {{ dbt.type_bigint() }}) as export_job_count,
        cast(seconds as double precision) as duration_seconds,

        -- timestamps (timestamptz written by dlt; text where a column was typed so)
        {{ rfc3339_to_timestamp('started_at') }} as started_at,
        {{ rfc3339_to_timestamp('finished_at') }} as finished_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
{% endmacro %}
