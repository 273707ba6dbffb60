{#
    loaded_at_query of a dlt child table (`<parent>__<list>`): dlt writes `_dlt_load_id` on the
    root table only, so a child row's load time is its parent row's, joined on `_dlt_parent_id`
    (every child table here is one level below its root). Rendered by `dbt source freshness`,
    where `this` is the child table; the same SQL runs on DuckDB and PostgreSQL.
#}
{% macro dlt_child_loaded_at(parent) %}
select max(to_timestamp(cast(parent._dlt_load_id as double precision))) as max_loaded_at
from {{ this }} as child
inner join {{ this.incorporate(path={"identifier": parent}) }} as parent
    on child._dlt_parent_id = parent._dlt_id
{% endmacro %}
