{#-
    Milliseconds since the Unix epoch -> naive UTC timestamp (no time zone attached).
    `default__` is plain SQL that PostgreSQL runs: interval arithmetic is exact to the microsecond,
    unlike to_timestamp(double precision).
-#}
{% macro epoch_ms_to_timestamp(epoch_ms) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'email_analytics')(epoch_ms)) }}
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(epoch_ms) -%}
    (cast('1970-01-01 00:00:00' as timestamp) + cast({{ epoch_ms }} as bigint) * interval '1 millisecond')
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(epoch_ms) -%}
    epoch_ms(cast({{ epoch_ms }} as bigint))
{%- endmacro %}


{#- dlt load ids are epoch seconds as text ('1795424701.8021698'): -> naive UTC timestamp (ms). -#}
{% macro dlt_load_id_to_timestamp(load_id) -%}
    {{ epoch_ms_to_timestamp(
        'cast(cast(' ~ load_id ~ ' as ' ~ dbt.type_numeric() ~ ') * 1000 as ' ~ dbt.type_bigint() ~ ')'
    ) }}
{%- endmacro %}
