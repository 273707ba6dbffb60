{#-
    rows_at_group_latest(relation, partition_by, latest_column): the same rows as
    rows_at_partition_latest (macros/email_events.sql): the rows of `relation` whose
    `latest_column` is the largest of their partition (all rows of a partition where it is null
    throughout), with every column and `partition_latest_value`. The largest value comes from a
    GROUP BY joined back on the partition keys (null-safe) instead of a window `max() over`: a
    campaign's events are one partition, so the window sorted few, huge partitions on one thread
    (a third of the campaign conform models' CPU at 1M; issue 15 third pass). Used for the
    campaign attributes carried on events (APSIS One, Benchmark, Netcore). On PostgreSQL, which
    cannot hash a null-safe join (a nested loop over every event and campaign), the window of
    rows_at_partition_latest stays.
-#}
{% macro rows_at_group_latest(relation, partition_by, latest_column) -%}
    {%- if target.type != 'duckdb' -%}
    {{ return(rows_at_partition_latest(relation, partition_by, latest_column)) }}
    {%- endif -%}
    select
        partition_rows.*,
        partition_latest.partition_latest_value

    from {{ relation }} as partition_rows
    inner join (
        select
            {{ partition_by | join(', ') }},
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
{%- endmacro %}
