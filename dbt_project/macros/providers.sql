{#-
    The providers this project models, in union order, and which of them are enabled: a provider
    is on unless its var `<provider>_enabled` is false (Fivetran style; dbt_project.yml disables
    the provider's sources and staging folder with the same var). The union models build one CTE
    per enabled provider; with none enabled they fail at compile time.
-#}
{% macro all_providers() -%}
    {{ return(['apsis_one', 'maxemail', 'netcore', 'benchmark']) }}
{%- endmacro %}

{% macro enabled_providers() -%}
    {%- set enabled = [] -%}
    {%- for provider in all_providers() -%}
        {%- if var(provider ~ '_enabled', true) -%}{%- do enabled.append(provider) -%}{%- endif -%}
    {%- endfor -%}
    {%- if enabled | length == 0 -%}
        {%- set names = [] -%}
        {%- for provider in all_providers() -%}{%- do names.append(provider ~ '_enabled') -%}{%- endfor -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ': every provider is disabled; set at least one of '
            ~ names | join(', ') ~ ' to true'
        ) }}
    {%- endif -%}
    {{ return(enabled) }}
{%- endmacro %}

