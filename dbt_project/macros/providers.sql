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


{#-
    The enabled providers with contact data: those whose loader reads the account's contact list
    (Benchmark's `POST /api/contact/search`; CONTRACTS.md 10.1). For them an empty list, or no
    `contacts` table yet (dlt creates none without a row), means no contacts: counts of 0, not
    null. The others have no contact data: their contact columns are null.
-#}
{% macro contact_data_providers() -%}
    {%- set providers = [] -%}
    {%- for provider in ['benchmark'] -%}
        {%- if var(provider ~ '_enabled', true) -%}{%- do providers.append(provider) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(providers) }}
{%- endmacro %}

{#- `<column> in (<the providers with contact data>)`, false when there are none. -#}
{% macro is_contact_data_provider(column) -%}
    {%- set providers = contact_data_providers() -%}
    {%- if providers -%}
        {{ column }} in ('{{ providers | join("', '") }}')
    {%- else -%}
        1 = 0
    {%- endif -%}
{%- endmacro %}
