{#-
    RFC 3339 text ('2026-01-05T10:00:00Z', '...+02:00') -> naive UTC timestamp. The offset is
    applied before it is dropped. The same SQL runs on DuckDB (with ICU, bundled) and PostgreSQL.
-#}
{% macro rfc3339_to_timestamp(expression) -%}
    cast(cast({{ expression }} as {{ dbt.type_timestamp() }} with time zone) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}
