{#-
    Fails with one row per value of the column that is no provider of the registry
    (macros/providers.sql): accepted_values with the list kept in one place. Nulls are not
    checked (not_null does that).
-#}
{% test registered_provider(model, column_name) %}

    select
        {{ column_name }} as value_field,
        count(*) as n_records
    from {{ model }}
    where {{ column_name }} not in ('{{ all_providers() | join("', '") }}')
    group by {{ column_name }}

{% endtest %}
