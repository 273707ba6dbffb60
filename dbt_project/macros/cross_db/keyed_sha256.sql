{#-
    Hex SHA-256 of key || value: a keyed hash (a pseudonym that cannot be recomputed without the
    key), not RFC 2104 HMAC; see DECISIONLOG.md "Recipient pseudonym". Null value -> null.
-#}
{% macro keyed_sha256(expression, key) -%}
    {{ return(adapter.dispatch('keyed_sha256', 'email_analytics')(expression, key)) }}
{%- endmacro %}

{% macro default__keyed_sha256(expression, key) -%}
    encode(sha256(convert_to({{ sql_string_literal(key) }} || {{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__keyed_sha256(expression, key) -%}
    sha256({{ sql_string_literal(key) }} || {{ expression }})
{%- endmacro %}


{#- A Jinja string as a single-quoted SQL literal (quotes doubled). -#}
{% macro sql_string_literal(value) -%}
    '{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}


{#- The recipient pseudonym of the canonical contract, keyed by var('recipient_hash_key'). -#}
{% macro recipient_key(email_address) -%}
    {{ keyed_sha256(email_address, var('recipient_hash_key')) }}
{%- endmacro %}
