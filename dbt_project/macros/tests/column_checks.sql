{#-
    dbt's not_null, unique and accepted_values on several columns of one model in ONE test node
    and one scan of the model (a single aggregate query), instead of one node and one scan per
    column and check: the per-node cost of dbt and, on a view, the re-run of the view are paid
    once. Fails with one row per failing check: the column, the check and how many rows fail it
    (for unique: how many rows repeat a value already seen). The same rules as dbt's own tests:
    not_null counts null rows; unique ignores nulls (count(col) - count(distinct col));
    accepted_values ignores nulls and compares the column with the values quoted as text.
    Arguments: `not_null`, `unique` (lists of column names), `accepted_values` (a mapping of a
    column name to its list of values). The `where` config (changed_rows(...)) applies as to any
    data test (macros/tests/get_where_subquery.sql).
-#}
{% test column_checks(model, not_null=[], unique=[], accepted_values={}) %}

    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append((column, 'not_null',
            'count(*) - count(' ~ column ~ ')')) -%}
    {%- endfor -%}
    {%- for column in unique -%}
        {%- do checks.append((column, 'unique',
            'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set listed = [] -%}
        {%- for value in values -%}
            {%- do listed.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do checks.append((column, 'accepted_values',
            'count(case when ' ~ column ~ ' not in ('
            ~ listed | join(', ') ~ ') then 1 end)')) -%}
    {%- endfor -%}
    {%- if checks | length == 0 -%}
        {{ exceptions.raise_compiler_error('column_checks on ' ~ model ~ ' has no check') }}
    {%- endif %}

    with failing as (
        select
        {%- for column, check, expression in checks %}
            {{ expression }} as check_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ model }}
    )

    {% for column, check, expression in checks -%}
    select
        '{{ column }}' as column_name,
        '{{ check }}' as check_name,
        check_{{ loop.index }} as failing_rows
    from failing
    where check_{{ loop.index }} > 0
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

{% endtest %}
