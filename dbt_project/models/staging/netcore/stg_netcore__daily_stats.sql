with

fields as (

    {{ staging_source(
        source('netcore', 'stats'),
        netcore__stats_columns(),
    ) }}

),

renamed as (

    select
        -- ids
        nullif(trim(_account_id), '') as account_id,

        -- dates: the day in the account's time zone that the numbers count messages of
        cast({{ adapter.quote('date') }} as date) as stats_date,

        -- numbers: Netcore's own counts for the day
        {% for metric in netcore__stats_metrics() -%}
        cast({{ metric }} as {{ dbt.type_bigint() }}) as {{ metric }}_count,
        {% endfor %}
        -- timestamps
        {{ timestamptz_to_utc('_taken_at') }} as taken_at,
        {{ dlt_load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- metadata
        _dlt_load_id as dlt_load_id

    from fields

)

select * from renamed
