{#-
    One row per provider, account_id and campaign_id of every enabled provider: the union of the
    int_<provider>__email_campaigns models (conformed_columns('email_campaigns')).

    A table, not a view: its data tests and dim_email_campaigns read it. The conform models read
    no event history: the attributes carried on events come from small incremental per-campaign
    aggregates (int_<provider>__campaign_attributes, APSIS One's splits, Maxemail's sends; macro
    campaign_attribute_ctes), so rebuilding this union reads about one row per campaign (issue
    15; DECISIONLOG.md "Campaigns from incremental per-campaign aggregates").
-#}

{{ config(materialized='table') }}

with

unioned as (

    {{ union_providers('email_campaigns') }}

)

select * from unioned
