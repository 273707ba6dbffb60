{#-
    100 * numerator / denominator as numeric(9,2), rounded half up on the exact quotient, and 0
    when the denominator is 0 or null. Integer arithmetic (floor of (20000 n + d) / 2d) keeps
    DuckDB (whose decimal division returns a double) and PostgreSQL on the same cent.
-#}
{% macro percentage_of(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then cast(0 as numeric(9, 2))
        else cast(
            floor((20000.0 * ({{ numerator }}) + ({{ denominator }})) / (2.0 * ({{ denominator }}))) / 100
            as numeric(9, 2)
        )
    end
{%- endmacro %}
