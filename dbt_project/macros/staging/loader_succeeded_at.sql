{#
    loaded_at_query of every raw table (each provider's source config): when the provider's
    loader last finished a run that succeeded, from `load_history` in the table's own dataset
    (pipelines/common/history.py). `dbt source freshness` thus asks "did the loader run?", not
    "did this table get a row?": a table that legitimately gets none for days (few unsubscribes,
    no new campaign, a dlt child table whose parents did not change) is fresh while the loader
    succeeds, and every table of a provider goes stale together when it stops, fails or ends
    incomplete. Rendered by `dbt source freshness`, where `this` is the table checked; the same
    SQL runs on DuckDB and PostgreSQL. A warehouse whose loader has not written `load_history`
    yet (loaded before it existed) fails until the next run writes it.
#}
{% macro loader_succeeded_at() %}
select max(finished_at) as max_loaded_at
from {{ this.incorporate(path={"identifier": "load_history"}) }}
where status = 'succeeded'
{% endmacro %}
