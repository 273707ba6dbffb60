{#-
    The sum of provider-reported numbers where a missing one (null: the provider did not report
    it) counts as 0, unless all are missing: then null (nothing reported, nothing to reconcile).
-#}
{% macro sum_of_reported(columns) -%}
    case
        when {{ columns | join(' is null and ') }} is null then null
        else {% for column in columns %}coalesce({{ column }}, 0){% if not loop.last %} + {% endif %}{% endfor %}
    end
{%- endmacro %}
