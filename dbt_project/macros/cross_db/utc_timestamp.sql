{#-
    A `timestamp with time zone` (dlt's UTC timestamps) -> naive UTC timestamp, the form every
    model carries. The same cast as rfc3339_to_timestamp, which also accepts RFC 3339 text.
-#}
{% macro timestamptz_to_utc(expression) -%}
    {{ rfc3339_to_timestamp(expression) }}
{%- endmacro %}
