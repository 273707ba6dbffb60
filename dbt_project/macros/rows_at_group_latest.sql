{#-
    rows_at_group_latest(relation, partition_by, latest_column, aggregates={}): the rows of
    `relation` whose `latest_column` is the largest of their partition (all rows of a partition
    where it is null throughout), with every column and `partition_latest_value`; each entry
    `name: aggregate expression` of `aggregates` adds column `partition_<name>`, that aggregate
    over the whole partition (every row, not only the latest). The largest value comes from a
    GROUP BY joined back on the partition keys (null-safe) instead of a window `max() over`: a
    campaign's rows are one partition, so the window sorted few, huge partitions on one thread (a
    third of the campaign conform models' CPU at 1M; issue 15 third pass). Used for the campaign
    attributes carried on events (macro campaign_attribute_ctes). On PostgreSQL, which cannot
    hash a null-safe join (a nested loop over every event and campaign), the same columns come
    from windows over the partition.
-#}
{% macro rows_at_group_latest(relation, partition_by, latest_column, aggregates={}) -%}
    {%- if target.type != 'duckdb' -%}
    select * from (
        select
            *,
            {%- for name, expression in aggregates.items() %}
            {{ expression }} over (partition by {{ partition_by | join(', ') }}) as partition_{{ name }},
            {%- endfor %}
            max({{ latest_column }}) over (
                partition by {{ partition_by | join(', ') }}
            ) as partition_latest_value

        from {{ relation }}
    ) as partition_rows
    where {{ latest_column }} = partition_latest_value
        or partition_latest_value is null
    {%- else -%}
    select
        partition_rows.*,
        {%- for name in aggregates %}
        partition_latest.partition_{{ name }},
        {%- endfor %}
        partition_latest.partition_latest_value

    from {{ relation }} as partition_rows
    inner join (
        select
            {{ partition_by | join(', ') }},
            {%- for name, expression in aggregates.items() %}
            {{ expression }} as partition_{{ name }},
            {%- endfor %}
            max({{ latest_column }}) as partition_latest_value

        from {{ relation }}
        group by {{ partition_by | join(', ') }}
    ) as partition_latest
        on {% for key in partition_by -%}
            partition_rows.{{ key }} is not distinct from partition_latest.{{ key }}
            {%- if not loop.last %}
        and {% endif %}
        {%- endfor %}
    where partition_rows.{{ latest_column }} = partition_latest.partition_latest_value
        or partition_latest.partition_latest_value is null
    {%- endif -%}
{%- endmacro %}
