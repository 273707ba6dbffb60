{#-
    The provider registry: every provider this project models, in union order, with the conform
    models it has (models/intermediate/<provider>/int_<provider>__<entity>.sql, each giving the
    columns of conformed_columns(entity)). Adding a provider is one line here (and its
    `<provider>_enabled` var and folder config in dbt_project.yml); union_providers reads it.
-#}
{% macro provider_registry() -%}
    {{ return({
        'apsis_one': ['email_events', 'email_campaigns'],
        'maxemail': ['email_events', 'email_campaigns', 'email_link_totals'],
        'netcore': ['email_events', 'email_campaigns'],
        'benchmark': ['email_events', 'email_campaigns', 'email_contacts'],
    }) }}
{%- endmacro %}

{% macro all_providers() -%}
    {{ return(provider_registry().keys() | list) }}
{%- endmacro %}

{#-
    The enabled providers: a provider is on unless its var `<provider>_enabled` is false (Fivetran
    style; dbt_project.yml disables the provider's sources, staging and intermediate folders with
    the same var, so a disabled provider's models are never built nor ref'd). With `entity`, only
    those with that conform model. Every provider disabled fails at compile time, naming the vars.
-#}
{% macro enabled_providers(entity=none) -%}
    {%- set enabled, with_entity = [], [] -%}
    {%- for provider, entities in provider_registry().items() -%}
        {%- if var(provider ~ '_enabled', true) -%}
            {%- do enabled.append(provider) -%}
            {%- if entity is none or entity in entities -%}
                {%- do with_entity.append(provider) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if enabled | length == 0 -%}
        {%- set names = [] -%}
        {%- for provider in all_providers() -%}{%- do names.append(provider ~ '_enabled') -%}{%- endfor -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ': every provider is disabled; set at least one of '
            ~ names | join(', ') ~ ' to true'
        ) }}
    {%- endif -%}
    {{ return(with_entity) }}
{%- endmacro %}


{#-
    The enabled providers with contact data: those with a conform model `email_contacts` (their
    loader reads the account's contact list, Benchmark's `POST /api/contact/search`;
    CONTRACTS.md 10.1). For them an empty list, or no `contacts` table yet (dlt creates none
    without a row), means no contacts: counts of 0, not null. The others have no contact data:
    their contact columns are null.
-#}
{% macro contact_data_providers() -%}
    {{ return(enabled_providers('email_contacts')) }}
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
