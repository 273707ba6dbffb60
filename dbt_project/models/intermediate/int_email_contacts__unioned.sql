{#-
    One row per provider, account_id and contact_id of every enabled provider with contact data
    (Benchmark's contact list; APSIS One, Maxemail and Netcore have none), with its creation time:
    the union of the int_<provider>__email_contacts models (conformed_columns('email_contacts')).
    With none enabled the model is empty, with the same columns (CONTRACTS.md 10.1).
-#}

with

unioned as (

    {{ union_providers('email_contacts') }}

)

select * from unioned
