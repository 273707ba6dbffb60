{#-
    The text with every character that is not 0-9 removed ('5.1.1' -> '511', 'abc' -> '').
    PostgreSQL and DuckDB replace every match with the 'g' flag; Snowflake and BigQuery replace
    every match by default.
-#}
{% macro digits_only(expression) -%}
    {{ return(adapter.dispatch('digits_only', 'email_analytics')(expression)) }}
{%- endmacro %}

{% macro default__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '', 'g')
{%- endmacro %}

{% macro snowflake__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '')
{%- endmacro %}

{% macro bigquery__digits_only(expression) -%}
    regexp_replace({{ expression }}, r'[^0-9]', '')
{%- endmacro %}
