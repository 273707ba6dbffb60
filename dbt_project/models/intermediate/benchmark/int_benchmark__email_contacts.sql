{#-
    Benchmark's contacts in the conformed shape (macro conformed_columns('email_contacts')): one
    row per account_id and contact (`_id` of `POST /api/contact/search`) with its creation time
    (CONTRACTS.md 10.1).
-#}

with

contacts as (

    select * from {{ ref('stg_benchmark__contacts') }}

),

conformed as (

    select
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at

    from contacts

)

select * from conformed
