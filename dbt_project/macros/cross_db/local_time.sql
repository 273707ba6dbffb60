{#-
    A zone argument as SQL: a Jinja string is an IANA name (quoted as a literal); a mapping
    `{'sql': expression}` is an SQL expression giving the name per row (e.g. a column holding the
    time zone a provider's report was taken in).
-#}
{% macro zone_sql(zone) -%}
    {%- if zone is mapping -%}({{ zone['sql'] }}){%- else -%}{{ sql_string_literal(zone) }}{%- endif -%}
{%- endmacro %}


{#-
    Naive UTC <-> naive local wall-clock time in the IANA zone `zone` (zone_sql). The same
    SQL runs on DuckDB (ICU, bundled) and PostgreSQL: `timestamp at time zone z` reads the naive
    value as local time in z (-> timestamptz); `timestamptz at time zone z` shows it in z (-> naive).
    A local time that does not exist (spring-forward gap) or exists twice (fall-back) is resolved
    by the engine; the report marts only convert local midnights, which no common zone skips.
-#}
{% macro utc_to_local(utc_timestamp, zone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'email_analytics')(utc_timestamp, zone)) }}
{%- endmacro %}

{% macro default__utc_to_local(utc_timestamp, zone) -%}
    cast((cast({{ utc_timestamp }} as {{ dbt.type_timestamp() }}) at time zone 'UTC') at time zone {{ zone_sql(zone) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}


{% macro local_to_utc(local_timestamp, zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'email_analytics')(local_timestamp, zone)) }}
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp, zone) -%}
    cast((cast({{ local_timestamp }} as {{ dbt.type_timestamp() }}) at time zone {{ zone_sql(zone) }}) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#-
    The UTC start of the local clock hour holding a naive UTC timestamp: the timestamp minus the
    minutes and seconds it is past the local hour (zones with :30 or :45 offsets start their hours
    off the UTC hour).
-#}
{% macro local_hour_start_utc(utc_timestamp, zone) -%}
    ({{ utc_timestamp }} - ({{ utc_to_local(utc_timestamp, zone) }} - date_trunc('hour', {{ utc_to_local(utc_timestamp, zone) }})))
{%- endmacro %}


{#- The UTC start of the local calendar day holding a naive UTC timestamp. -#}
{% macro local_day_start_utc(utc_timestamp, zone) -%}
    {{ local_to_utc('cast(' ~ local_date(utc_timestamp, zone) ~ ' as ' ~ dbt.type_timestamp() ~ ')', zone) }}
{%- endmacro %}


{#- Integer division of non-negative integers (truncates). -#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'email_analytics')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    div(cast({{ numerator }} as {{ dbt.type_numeric() }}), cast({{ denominator }} as {{ dbt.type_numeric() }}))
{%- endmacro %}

{% macro duckdb__integer_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ dbt.type_bigint() }}) // cast({{ denominator }} as {{ dbt.type_bigint() }}))
{%- endmacro %}
