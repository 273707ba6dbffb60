{#-
    For an incremental model's run: the rows of `relation` loaded (`loaded_at`) within var
    `event_lookback_hours` of their provider's newest load already in the model (`this_loaded_at`,
    a column of {{ this }}), so a load that committed after the previous run is never skipped.
    One watermark per provider: a provider whose loads stalled for a while is not skipped because
    another provider's newer loads moved a shared watermark past it; a provider not in the model
    yet (newly enabled) is read in full. fct_email_events and fct_email_deliveries read their
    input through it.
-#}
{% macro loaded_within_lookback(relation, this_loaded_at='loaded_at') -%}
    select recent.*

    from {{ relation }} as recent
    left join (

        select
            provider,
            {{ dbt.dateadd(
                'hour', -1 * var('event_lookback_hours') | int, 'max(' ~ this_loaded_at ~ ')'
            ) }} as loaded_since

        from {{ this }}
        group by provider

    ) as lookback
        on recent.provider = lookback.provider
    where lookback.loaded_since is null
        or recent.loaded_at >= lookback.loaded_since
{%- endmacro %}
