"""The Dagster definitions: the four providers' loads, the dbt build, one job over all of them
and its daily schedule (pipelines/orchestration/definitions.py holds the code location's `defs`).

Settings are the ones `make load transform` reads: the providers' from dlt (.dlt/config.toml,
.dlt/secrets.toml, SOURCES__* variables), the warehouse from WAREHOUSE and WAREHOUSE_PATH
(default: warehouse.duckdb in the checkout's root, as the Makefile sets it), dbt's profile from
DBT_PROFILES_DIR. The schedule: EMAIL_ELT_SCHEDULE_CRON (default `0 6 * * *`) in
EMAIL_ELT_SCHEDULE_TIMEZONE (default UTC).

Runs execute their steps one after another in one process: DuckDB allows one writer at a time,
so two providers loading at once would wait on each other's lock and fail.
"""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)
from dagster._utils.schedules import is_valid_cron_string

from pipelines.common.runner import PROVIDERS
from pipelines.orchestration.loads import provider_assets
from pipelines.orchestration.models import (
    ROOT,
    dbt_build_assets,
    dbt_project,
    dbt_resource,
    source_tables,
)

CRON_VAR, TIMEZONE_VAR = "EMAIL_ELT_SCHEDULE_CRON", "EMAIL_ELT_SCHEDULE_TIMEZONE"
DEFAULT_CRON, DEFAULT_TIMEZONE = "0 6 * * *", "UTC"
JOB_NAME, SCHEDULE_NAME = "load_and_transform", "daily_load_and_transform"


def schedule_settings() -> tuple[str, str]:
    """The schedule's cron expression and timezone from the environment, checked."""
    cron = os.environ.get(CRON_VAR, "").strip() or DEFAULT_CRON
    timezone = os.environ.get(TIMEZONE_VAR, "").strip() or DEFAULT_TIMEZONE
    if not is_valid_cron_string(cron):
        raise ValueError(f"{CRON_VAR}={cron!r} is not a cron expression (e.g. '0 6 * * *')")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{TIMEZONE_VAR}={timezone!r} is not an IANA time zone (e.g. 'Europe/London')"
        ) from None
    return cron, timezone


def build_definitions() -> Definitions:
    """Every provider's load, the dbt build, the job `load_and_transform` selecting all of them
    and its schedule."""
    os.environ.setdefault("WAREHOUSE_PATH", str(ROOT / "warehouse.duckdb"))
    cron, timezone = schedule_settings()
    project = dbt_project()
    read = source_tables(project)
    loads = [provider_assets(p, read.get(p, set())) for p in PROVIDERS]
    job = define_asset_job(
        JOB_NAME,
        selection=AssetSelection.all(),
        description="make load transform: every provider's load, then dbt build",
    )
    schedule = ScheduleDefinition(
        name=SCHEDULE_NAME,
        job=job,
        cron_schedule=cron,
        execution_timezone=timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"{JOB_NAME} at {cron} ({timezone}); set {CRON_VAR} and {TIMEZONE_VAR}",
    )
    return Definitions(
        assets=[*loads, dbt_build_assets(project)],
        jobs=[job],
        schedules=[schedule],
        resources={"dbt": dbt_resource(project)},
        executor=in_process_executor,
    )
