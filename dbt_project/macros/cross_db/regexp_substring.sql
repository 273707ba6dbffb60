{#-
    The first substring of `expression` matching the POSIX regular expression `pattern` (a Jinja
    string; keep it free of quotes and backslashes, e.g. `[.]` for a dot), null when nothing
    matches or the expression is null.
-#}
{% macro regexp_substring(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_substring', 'email_analytics')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_substring(expression, pattern) -%}
    substring({{ expression }} from '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regexp_substring(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}'), '')
{%- endmacro %}

{% macro snowflake__regexp_substring(expression, pattern) -%}
    regexp_substr({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro bigquery__regexp_substring(expression, pattern) -%}
    regexp_extract({{ expression }}, r'{{ pattern }}')
{%- endmacro %}
