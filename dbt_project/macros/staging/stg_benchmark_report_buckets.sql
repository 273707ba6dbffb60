{#-
    The staging select of a bucket list of a Benchmark report snapshot (a dlt child table of
    `report_<report>`; CONTRACTS.md 7.2): every histogram the reports endpoints return is a list
    of buckets with a start date, a total and, for some, detail counts, so every
    stg_benchmark__<report>_report_buckets model is this one query.

    table: the raw child table; report: its parent's name (for the comment); count_column: the
    staged name of `total`; details: (raw column, staged name) of the detail counts.
-#}
{% macro stg_benchmark_report_buckets(table, report, count_column, details=[]) %}
with

bucket_fields as (

    {{ staging_source(
        source('benchmark', table),
        benchmark__histogram_bucket_columns(details | map('first') | list),
    ) }}

),

renamed as (

    -- dlt child table of {{ report }}: the snapshot is found through _dlt_parent_id
    select
        -- ids
        _dlt_parent_id as snapshot_id,

        -- numbers
        cast(total as {{ dbt.type_bigint() }}) as {{ count_column }},
        {%- for raw, staged in details %}
        cast({{ raw }} as {{ dbt.type_bigint() }}) as {{ staged }},
        {%- endfor %}
        cast(_dlt_list_idx as {{ dbt.type_int() }}) as bucket_index,

        -- timestamps
        {{ rfc3339_to_timestamp(adapter.quote('date')) }} as bucket_start_at,

        -- metadata
        _dlt_id as dlt_id

    from bucket_fields

)

select * from renamed
{% endmacro %}
