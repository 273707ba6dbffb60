{#-
    Every enabled provider's events in the conformed shape (conformed_columns('email_events')),
    one row per raw provider event: the union of the int_<provider>__email_events models. The
    steps after it, in order: int_email_events__pseudonymized (recipient_key, event_id),
    __type_mapped (event_type), __bounce_decoded (bounce_class, bounce_reason), __deduplicated.
-#}

with

unioned as (

    {{ union_providers('email_events') }}

)

select * from unioned
