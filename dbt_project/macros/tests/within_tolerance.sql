{#-
    Fails with one row per row whose |column| exceeds `tolerance` (default: the var
    `reconciliation_tolerance`, itself 0 by default). Null values are not checked.
-#}
{% test within_tolerance(model, column_name, tolerance=none) %}

    {%- set limit = var('reconciliation_tolerance', 0) if tolerance is none else tolerance %}

    select *
    from {{ model }}
    where abs({{ column_name }}) > {{ limit }}

{% endtest %}
