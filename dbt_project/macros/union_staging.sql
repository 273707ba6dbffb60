{#-
    union_staging(entity, columns, providers): the rows of `stg_<provider>__<entity>` of each of
    ``providers`` (enabled ones only: a disabled provider's staging models are never built nor
    ref'd), `union all` by column name in the order of ``columns`` (a list of {name, datatype}).
    A column `provider` is the provider's registry name (the ledger's own `provider` holds its
    display name, `APSIS One`). With no provider: no rows, the same typed columns. For the
    loader's own tables, which every
    provider stages alike (load_history, the export_jobs ledger) and which need no conform model.
-#}
{% macro union_staging(entity, columns, providers) -%}
    {%- for provider in providers -%}
    {%- if not loop.first %}

    union all

    {% endif -%}
    select
        {%- for column in columns %}
        {% if column.name == 'provider' -%}
        '{{ provider }}' as provider
        {%- else -%}
        {{ column.name }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('stg_' ~ provider ~ '__' ~ entity) }}
    {%- else -%}
    -- no enabled provider has {{ entity }}: no rows, the same columns
    {{ staging_empty_relation(columns) }}
    {%- endfor %}
{%- endmacro %}


{#-
    The enabled providers whose loader writes the `export_jobs` ledger (stg_<provider>__export_jobs):
    every one but Benchmark Email, which runs no export job (pages and snapshots).
-#}
{% macro export_ledger_providers() -%}
    {%- set providers = [] -%}
    {%- for provider in enabled_providers() -%}
        {%- if provider != 'benchmark' -%}{%- do providers.append(provider) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(providers) }}
{%- endmacro %}
