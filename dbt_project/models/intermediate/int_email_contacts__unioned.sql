{#-
    One row per provider, account_id and contact_id of every enabled provider with contact data
    (Benchmark's contact list; APSIS One, Maxemail and Netcore have none here), with its creation
    time. One CTE per provider behind its enable var; with none the model is empty, with the same
    columns (CONTRACTS.md 10.1).
-#}

{%- set parts = contact_data_providers() %}

with

{% if 'benchmark' in parts -%}
benchmark_contacts as (

    select
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at

    from {{ ref('stg_benchmark__contacts') }}

),

{% endif -%}

unioned as (

    {% for provider in parts -%}
    select * from {{ provider }}_contacts
    {% if not loop.last %}
    union all

    {% endif -%}
    {% else -%}
    -- no provider with contact data is enabled: no rows, the same columns
    select
        cast(null as {{ dbt.type_string() }}) as provider,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        cast(null as {{ dbt.type_timestamp() }}) as created_at
    where 1 = 0
    {% endfor %}
)

select * from unioned
