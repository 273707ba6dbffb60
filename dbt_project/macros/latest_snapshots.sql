{#-
    The latest snapshot of each `keys` in `relation` (a provider report the loader snapshots on
    every run: the latest is the provider's current word): its rows with the greatest taken_at,
    ties to the latest load, and `snapshot_rank` (1).
-#}
{% macro latest_snapshots(relation, keys) -%}
    select * from (

        select
            *,
            row_number() over (
                partition by {{ keys | join(', ') }}
                order by taken_at desc, loaded_at desc
            ) as snapshot_rank

        from {{ relation }}

    ) as ranked
    where snapshot_rank = 1
{%- endmacro %}
