{#-
    The per-campaign aggregates of the attributes carried on events (models
    int_<provider>__campaign_attributes; DECISIONLOG.md "Campaigns from incremental per-campaign
    aggregates"). `recent` is a CTE of the provider's event rows, each with
    `columns`: provider, account_id, campaign_id, `latest_column` and the tie breakers' and
    attributes' columns, and one input column per entry of `aggregates` (`name: expression over
    those columns`, e.g. `last_loaded_at: max(last_loaded_at)`). On a full build `recent` holds
    every event; on an incremental run the events loaded within the lookback (lookback_since),
    and the stored row of each campaign they touch joins them as one more candidate: it is the
    campaign's winning row and its aggregates so far, so the same ordering over (stored row +
    new rows) gives what it gives over all rows. Exact when the aggregates are idempotent
    (max, min, bool_or) and no event's row is removed from staging without a copy in a later
    load (a re-read window's copy is loaded later, so it is among the new rows and sorts before
    its old copy by loaded_at). Renders the CTEs `candidates` and `campaign_rows` (one row per
    campaign, `columns` plus campaign_key, the model's unique key); placed after `with`.
-#}
{% macro campaign_attribute_ctes(recent, columns, latest_column, tie_breakers, aggregates) -%}
candidates as (

    {{ stored_and_recent_rows(recent, columns, ['provider', 'account_id', 'campaign_id']) }}

),

campaign_rows as (

    -- each campaign's first row in the ordering (`nulls last` spelled out: PostgreSQL sorts
    -- nulls first in `desc`), numbered among its rows at the latest `latest_column` only
    select
        {%- for column in columns %}
        {{ 'partition_' ~ column if column in aggregates else column }} as {{ column }},
        {%- endfor %}
        {{ email_event_id(['provider', 'account_id', 'campaign_id']) }} as campaign_key

    from (
        select
            *,
            row_number() over (
                partition by provider, account_id, campaign_id
                order by {{ latest_column }} desc nulls last, {{ tie_breakers | join(', ') }}
            ) as attribute_rank

        from ({{ rows_at_group_latest(
            'candidates', ['provider', 'account_id', 'campaign_id'], latest_column, aggregates
        ) }}) as at_latest
    ) as ranked
    where attribute_rank = 1

)
{%- endmacro %}


{#-
    The rows an incremental per-campaign aggregate folds: those of `recent` (a CTE: the new rows
    of a run, or every row on a full build), each with `columns`, and on an incremental run also
    the stored row (same columns) of each key they touch: the key is campaign_key here, the
    email_event_id of `key_columns` (non-null, so a null account or id still finds its row).
-#}
{% macro stored_and_recent_rows(recent, columns, key_columns) -%}
    select {{ columns | join(', ') }}
    from {{ recent }}
    {%- if is_incremental() %}

    union all

    -- the stored row of each key the new rows touch
    select {{ columns | join(', ') }}
    from {{ this }} as stored
    where stored.campaign_key in (
        select {{ email_event_id(key_columns) }} from {{ recent }}
    )
    {%- endif %}
{%- endmacro %}


{#-
    The rows of an incremental per-key aggregate that keeps the smallest `min_column` and the
    newest `last_loaded_at` of its key's rows (int_maxemail__campaign_sends,
    int_email_campaign_first_sends): `recent` (a CTE with `key_columns`, `min_column` and
    last_loaded_at) folded with the stored row of each key it touches (stored_and_recent_rows);
    min and max give over (stored row + new rows) what they give over all rows. Renders the
    CTE `candidates` (placed after the model's last CTE and a comma) and the final select, with
    campaign_key, the model's unique key.
-#}
{% macro min_and_newest_per_key(recent, key_columns, min_column) -%}
candidates as (

    {{ stored_and_recent_rows(recent, key_columns + [min_column, 'last_loaded_at'], key_columns) }}

)

select
    {%- for column in key_columns %}
    {{ column }},
    {%- endfor %}
    min({{ min_column }}) as {{ min_column }},
    max(last_loaded_at) as last_loaded_at,
    {{ email_event_id(key_columns) }} as campaign_key

from candidates
group by {{ key_columns | join(', ') }}
{%- endmacro %}

