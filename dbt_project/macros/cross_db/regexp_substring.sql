{#-
    The first substring of `expression` matching the POSIX regular expression `pattern` (a Jinja
    string; keep it free of quotes and backslashes, e.g. `[.]` for a dot), null when nothing
    matches or the expression is null.
-#}
{% macro regexp_substring(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_substring', 'email_analytics')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_substring(expression, pattern) -%}
    {#- PostgreSQL's substring(... from pattern) returns the first parenthesised subexpression
        when the pattern has one: wrap the whole pattern so that it is the first -#}
    substring({{ expression }} from '({{ pattern }})')
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
