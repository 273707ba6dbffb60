{#-
    One row per link (link_key) whose provider counts its clicks itself where its click events
    undercount them (Maxemail's running click counts), with that total: the union of the
    int_<provider>__email_link_totals models (conformed_columns('email_link_totals')). Empty,
    with the same columns, when no such provider is enabled.
-#}

with

unioned as (

    {{ union_providers('email_link_totals') }}

)

select * from unioned
