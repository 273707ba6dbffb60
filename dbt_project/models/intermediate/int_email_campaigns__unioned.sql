{#-
    One row per provider, account_id and campaign_id of every enabled provider: the union of the
    int_<provider>__email_campaigns models (conformed_columns('email_campaigns')).

    A table, not a view: the conform models read every event of their provider (the latest
    event's name, subject and sender, the split ids), and as a view each of its data tests and
    dim_email_campaigns re-ran that scan (issue 15). Still rebuilt from all events on every run:
    DECISIONLOG.md "Where a dbt build's time goes" says what is left.
-#}

{{ config(materialized='table') }}

with

unioned as (

    {{ union_providers('email_campaigns') }}

)

select * from unioned
