{#-
    The calendar date, in the IANA time zone `zone` (a Jinja string or `{'sql': expression}`, zone_sql), of a naive UTC timestamp.
    The same SQL runs on DuckDB (ICU, bundled) and PostgreSQL: the naive value is read as UTC,
    then shown in the zone.
-#}
{% macro local_date(utc_timestamp, zone) -%}
    cast((cast({{ utc_timestamp }} as {{ dbt.type_timestamp() }}) at time zone 'UTC') at time zone {{ zone_sql(zone) }} as date)
{%- endmacro %}
