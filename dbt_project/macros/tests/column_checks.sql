{#-
    A model's data checks in ONE test node and one read of the model: dbt's not_null, unique,
    accepted_values and relationships, a unique combination of columns and registered_provider,
    instead of one node and one scan per column and check: the per-node cost of dbt (~36 ms of
    its own Python per node) and, on a view, the re-run of the view are paid once. Fails with one
    row per failing check: the column (or the combination, `a, b, c`), the check and how many
    rows fail it (for unique and unique_combination: how many rows repeat a value already seen).
    The same rules as the tests they replace: not_null counts null rows; unique ignores nulls
    (count(col) - count(distinct col)); accepted_values ignores nulls and compares the column with
    the values quoted as text; unique_combination groups by the columns as
    dbt_utils' unique_combination_of_columns does (a null is a value like any other); relationships counts
    the rows whose non-null value is no value of the parent's field (the parent read in full).
    Arguments: `not_null` (a list of column names); `unique` (a list whose items are a column
    name, a list of column names: a combination, or a mapping {columns: [...], where: <SQL
    condition>}: the combination among the rows where the condition holds); `accepted_values` (a
    mapping of a column name to its list of values); `relationships` (a mapping of a column name
    to {to: "ref('parent')", field: <the parent's column>}); `registered_provider` (a list of
    column names: accepted_values with the registry's providers, macros/providers.sql); `rules`
    (a mapping of a rule's name to an SQL condition every row must meet; a row where it is false
    or null fails it, e.g. a column set exactly for one event type). The
    `where` config (changed_rows(...), changed_loads(...)) applies to all of them, as to any data
    test (macros/tests/get_where_subquery.sql): a daily run checks the changed rows only. With a
    combination or a relationship, the tested rows (only the columns the checks use) are read
    once into a materialized CTE that every check reads.
-#}
{% test column_checks(model, not_null=[], unique=[], accepted_values={}, relationships={},
    registered_provider=[], rules={}) %}

    {%- set checks = [] -%}
    {%- set combinations = [] -%}
    {%- set used = [] -%}
    {%- for column in not_null -%}
        {%- do used.append(column) -%}
        {%- do checks.append((column, 'not_null',
            'count(*) - count(' ~ column ~ ')')) -%}
    {%- endfor -%}
    {%- for item in unique -%}
        {%- if item is string -%}
            {%- do used.append(item) -%}
            {%- do checks.append((item, 'unique',
                'count(' ~ item ~ ') - count(distinct ' ~ item ~ ')')) -%}
        {%- else -%}
            {%- set columns = item['columns'] if item is mapping else item -%}
            {%- set condition = item.get('where') if item is mapping else none -%}
            {%- do used.extend(columns) -%}
            {%- do combinations.append((columns, condition)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- do used.append(column) -%}
        {%- set listed = [] -%}
        {%- for value in values -%}
            {%- do listed.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do checks.append((column, 'accepted_values',
            'count(case when ' ~ column ~ ' not in ('
            ~ listed | join(', ') ~ ') then 1 end)')) -%}
    {%- endfor -%}
    {%- set parents = [] -%}
    {%- for column, parent in relationships.items() -%}
        {%- do used.append(column) -%}
        {%- do parents.append((column, parent['to'], parent['field'])) -%}
    {%- endfor -%}
    {%- for column in registered_provider -%}
        {%- do used.append(column) -%}
        {%- do checks.append((column, 'registered_provider',
            "count(case when " ~ column ~ " not in ('"
            ~ all_providers() | join("', '") ~ "') then 1 end)")) -%}
    {%- endfor -%}
    {%- set rule_items = rules.items() | list -%}
    {%- for name, condition in rule_items -%}
        {%- do checks.append((name, 'rule',
            'sum(rule_' ~ loop.index ~ '_fails)' if (unique | reject('string') | list or relationships)
            else 'count(case when ' ~ condition ~ ' then null else 1 end)')) -%}
    {%- endfor -%}
    {%- if checks | length + combinations | length + parents | length == 0 -%}
        {{ exceptions.raise_compiler_error('column_checks on ' ~ model ~ ' has no check') }}
    {%- endif -%}
    {%- set outputs = [] -%}
    {%- set columns_out = [] -%}
    {%- for column, check, expression in checks -%}
        {%- do outputs.append((column, check, 'check_' ~ loop.index)) -%}
        {%- do columns_out.append(expression ~ ' as check_' ~ loop.index) -%}
    {%- endfor -%}
    {%- for columns, condition in combinations -%}
        {%- do outputs.append((columns | join(', '),
            'unique_combination' ~ (' where ' ~ condition if condition else ''),
            'combination_' ~ loop.index)) -%}
        {%- do columns_out.append('(select coalesce(sum(repeats), 0) from combination_'
            ~ loop.index ~ ') as combination_' ~ loop.index) -%}
    {%- endfor -%}
    {%- for column, to, field in parents -%}
        {%- do outputs.append((column, 'relationships ' ~ to ~ '.' ~ field,
            'relationship_' ~ loop.index)) -%}
        {%- do columns_out.append('(select missing from relationship_'
            ~ loop.index ~ ') as relationship_' ~ loop.index) -%}
    {%- endfor -%}
    {%- set shared = combinations or parents %}

    with
    {%- if shared %}
    tested_rows as materialized (
        select
            {{ used | unique | join(', ') }}
            {%- for columns, condition in combinations %}
            {%- if condition %},
            case when {{ condition }} then 1 else 0 end as combination_{{ loop.index }}_where
            {%- endif %}
            {%- endfor %}
            {%- for name, condition in rule_items %},
            case when {{ condition }} then 0 else 1 end as rule_{{ loop.index }}_fails
            {%- endfor %}
        from {{ model }}
    ),
    {%- for columns, condition in combinations %}
    combination_{{ loop.index }} as (
        select count(*) - 1 as repeats
        from tested_rows
        {%- if condition %}
        where combination_{{ loop.index }}_where = 1
        {%- endif %}
        group by {{ columns | join(', ') }}
        having count(*) > 1
    ),
    {%- endfor %}
    {%- for column, to, field in parents %}
    relationship_{{ loop.index }} as (
        select count(*) as missing
        from tested_rows as child
        where child.{{ column }} is not null
            and not exists (
                select 1
                from {{ to }} as parent
                where parent.{{ field }} = child.{{ column }}
            )
    ),
    {%- endfor %}
    {%- endif %}
    failing as (
        select
        {%- for expression in columns_out %}
            {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
        {%- if checks %}
        from {{ 'tested_rows' if shared else model }}
        {%- endif %}
    )

    {% for label, check, name in outputs -%}
    select
        '{{ label }}' as column_name,
        '{{ check | replace("'", "''") }}' as check_name,
        {{ name }} as failing_rows
    from failing
    where {{ name }} > 0
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

{% endtest %}
