"""Optional Dagster code location for the loads and the dbt build (the `dagster` extra:
`pip install -e '.[dagster]'`); `dagster dev -m pipelines.orchestration.definitions` loads it.

Nothing else in `pipelines` imports this package, so the loader works without Dagster. Its
modules: loads.py (a multi-asset per provider over the project's `load_provider`), models.py
(the dbt project through dagster-dbt), build.py (the job, its daily schedule, the Definitions).
"""
