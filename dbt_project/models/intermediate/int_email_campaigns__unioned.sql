{#-
    One row per provider, account_id and campaign_id of every enabled provider: the union of the
    int_<provider>__email_campaigns models (conformed_columns('email_campaigns')).
-#}

with

unioned as (

    {{ union_providers('email_campaigns') }}

)

select * from unioned
