"""Checks of the loader's run history, `dbt source freshness` and the `email_pipeline_health`
mart on a warehouse an end to end test loaded and built (test_end_to_end_marts: every provider).
The expected figures are computed here from the raw tables (`raw_<provider>.load_history`, the
`export_jobs` ledger) and the loader's own summaries, not by the SQL under test."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from pipelines.common.runner import LoadSummary
from tests.conftest import ROOT, dbt_env, query, query_dicts

LEDGER_PROVIDERS = ("apsis_one", "maxemail", "netcore")  # Benchmark runs no export job
SECONDS = {"load_seconds", "export_seconds"}


def utc(value: datetime) -> datetime:
    """A warehouse timestamp with time zone as naive UTC, the form the marts carry."""
    return value.astimezone(UTC).replace(tzinfo=None)


def runs(warehouse: str, provider: str) -> list[dict[str, Any]]:
    return query_dicts(
        warehouse, f"select * from raw_{provider}.load_history order by finished_at, run_id"
    )


def assert_latest_runs_recorded(
    warehouse: str, summaries: list[LoadSummary], runs_each: int
) -> None:
    """Each provider has ``runs_each`` runs in its `load_history`, every one `succeeded`, and the
    latest holds what the loader's summary of it says (data rows, loads, export jobs)."""
    for summary in summaries:
        history = runs(warehouse, summary.provider)
        assert [r["status"] for r in history] == ["succeeded"] * runs_each, summary.provider
        latest = history[-1]
        assert latest["provider"] == summary.provider
        assert latest["rows"] == summary.data_rows > 0, summary.provider
        assert (latest["loads"], latest["export_jobs"]) == (summary.loads, summary.export_jobs)
        assert latest["error"] is None
        assert latest["started_at"] < latest["finished_at"]
        # the run's seconds hold the summary's (rounded to 0.01 s)
        assert latest["seconds"] > summary.seconds - 0.01 > 0, summary.provider
        assert len({r["run_id"] for r in history}) == runs_each


def assert_failed_run_recorded(warehouse: str, provider: str, error: str, secret: str) -> None:
    """The latest run of ``provider`` is `failed`, with the error the user saw and no secret."""
    latest = runs(warehouse, provider)[-1]
    assert latest["status"] == "failed"
    assert latest["error"] == error[:500] and secret not in latest["error"]
    assert (latest["rows"], latest["loads"]) == (0, 0)


def health_from_raw(warehouse: str, providers: tuple[str, ...]) -> dict[tuple[str, date], Any]:
    """email_pipeline_health computed in Python from the raw tables: per provider and UTC day of
    the end of a run or export job."""
    rows: dict[tuple[str, date], dict[str, Any]] = defaultdict(
        lambda: (
            dict.fromkeys(
                ("load_runs", "succeeded_load_runs", "failed_load_runs", "incomplete_load_runs")
                + ("rows_loaded", "load_seconds", "export_jobs", "failed_export_jobs")
                + ("export_rows", "export_seconds"),
                0,
            )
            | {"last_run_at": None, "last_run_status": None, "last_error": None}
        )
    )
    for provider in providers:
        history = runs(warehouse, provider)
        for run in history:  # in order of their end
            row = rows[(provider, utc(run["finished_at"]).date())]
            row["load_runs"] += 1
            row[f"{run['status']}_load_runs"] += 1
            row["rows_loaded"] += run["rows"]
            row["load_seconds"] += run["seconds"]
            row["last_run_at"] = utc(run["finished_at"])
            row["last_run_status"] = run["status"]
            if run["status"] == "failed":
                row["last_error"] = run["error"]
        jobs = (
            query_dicts(warehouse, f"select * from raw_{provider}.export_jobs")
            if provider in LEDGER_PROVIDERS
            else []
        )
        for job in jobs:
            row = rows[(provider, utc(job["finished_at"]).date())]
            row["export_jobs"] += 1
            row["failed_export_jobs"] += job["status"] != "completed"
            row["export_rows"] += job["rows"]
            row["export_seconds"] += job["seconds"]
        succeeded = [utc(r["finished_at"]) for r in history if r["status"] == "succeeded"]
        for (name, day), row in rows.items():
            if name == provider:
                done = [at for at in succeeded if at.date() <= day]
                row["last_succeeded_load_at"] = max(done, default=None)
    return dict(rows)


def assert_health_equals_raw(warehouse: str, providers: tuple[str, ...]) -> None:
    """Every row and column of marts.email_pipeline_health equals its computation from the raw
    tables (seconds to a float's precision: the ledger's are stored as 4-byte floats)."""
    expected = health_from_raw(warehouse, providers)
    mart = {
        (r.pop("provider"), r.pop("day")): r
        for r in query_dicts(warehouse, "select * from marts.email_pipeline_health")
    }
    assert sorted(mart) == sorted(expected)
    for key, row in mart.items():
        want = expected[key]
        for column in SECONDS:
            assert row.pop(column) == pytest.approx(want.pop(column), rel=1e-5, abs=1e-3), key
        assert row == want, key


def assert_every_source_fresh(
    warehouse: str, tmp_path: Path, providers: tuple[str, ...], *args: str
) -> None:
    """`dbt source freshness` (after `dbt_build` on the same tmp_path: its parse is reused) checks
    every declared table of ``providers`` and all pass; each table's load time is its provider's
    latest succeeded run in `load_history` (macro loader_succeeded_at), dlt child tables and
    the loader's own tables included, and the thresholds are the integer hours of the vars."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "source", "freshness", *args],
        cwd=ROOT / "dbt_project",
        env=dbt_env(warehouse, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    target = tmp_path / "dbt_target"
    results = {
        r["unique_id"].removeprefix("source.email_analytics."): r
        for r in json.loads((target / "sources.json").read_text())["results"]
    }
    sources = json.loads((target / "manifest.json").read_text())["sources"].values()
    declared = {f"{s['source_name']}.{s['name']}" for s in sources if s["source_name"] in providers}
    assert set(results) == declared, sorted(declared - set(results))
    assert {r["status"] for r in results.values()} == {"pass"}
    assert any("__" in name for name in declared), "no dlt child table was checked"
    for provider in providers:
        (last,) = query(
            warehouse,
            f"select max(finished_at) from raw_{provider}.load_history where status = 'succeeded'",
        )[0]
        for name in (n for n in declared if n.startswith(f"{provider}.")):
            checked = datetime.fromisoformat(results[name]["max_loaded_at"])
            assert checked == last, name
    defaults = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    assert_thresholds(
        sources, defaults["freshness_warn_after_hours"], defaults["freshness_error_after_hours"]
    )


def assert_thresholds(sources: Any, warn: int, error: int) -> None:
    """Every source table of the manifest warns after ``warn`` and errors after ``error`` hours,
    as integers (dbt renders the vars into the counts)."""
    for source in sources:
        freshness = source["freshness"]
        assert freshness["warn_after"] == {"count": warn, "period": "hour"}, source["unique_id"]
        assert freshness["error_after"] == {"count": error, "period": "hour"}, source["unique_id"]
