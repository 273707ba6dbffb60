"""Exactly-once raw rows of Benchmark Email's contact events (issue 14): `contact_events` is
appended to, and the rows of the range a read's `pastDays` covered that other loads delivered are
deleted once the load is committed (pipelines/common/replace.py). An overlapping re-read, a re-run
at the same clock and a run killed between its load and its delete leave the raw table without a
duplicate event and equal to an uninterrupted warehouse; staging collapses what the killed run
left, so the marts equal the truth before the next run. A warehouse loaded by the former merge
(5-column primary key) keeps loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import pipelines.benchmark as benchmark
from pipelines.benchmark.settings import EVENT_KEY
from pipelines.common import replace
from sandbox.compare import report_differences
from tests.conftest import Sandbox, benchmark_kwargs, dbt_build, load_benchmark, query
from tests.test_end_to_end_netcore_benchmark import report
from tests.test_exactly_once_files import killed_before_delete

# about 28 s for its three tests on two cores (tests/shards.py)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(9)]

BENCHMARK_ONLY = (
    "--vars",
    "{apsis_one_enabled: false, maxemail_enabled: false, netcore_enabled: false}",
)
REPORT_AND_FACTS = ("+email_campaign_report", "+fct_email_events")  # with their data tests
IDENTITY = ", ".join(f'"{column}"' for column in ("_account_id", *EVENT_KEY))


def duplicates(warehouse: str) -> int:
    return query(
        warehouse,
        f"select count(*) - count(distinct ({IDENTITY})) from raw_benchmark.contact_events",
    )[0][0]


def events(warehouse: str) -> list[tuple[Any, ...]]:
    return query(
        warehouse, "select * exclude (_dlt_load_id) from raw_benchmark.contact_events order by all"
    )


def count(warehouse: str) -> int:
    return query(warehouse, "select count(*) from raw_benchmark.contact_events")[0][0]


def load_rereading(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    """A load whose read delivered again rows the table held (else the test proves nothing)."""
    before = count(warehouse)
    loaded = load_benchmark(sandbox, warehouse, tmp_path).rows["contact_events"]
    assert loaded > count(warehouse) - before, "the read re-read no row: proves nothing"


def assert_marts_equal_truth(sandbox: Sandbox, warehouse: str) -> None:
    truth = sandbox.truth("benchmark")["campaign_report"]
    assert truth, "the Benchmark world has no campaigns"
    problems = report_differences(report(warehouse, "benchmark"), truth)
    assert not problems, "\n".join(problems[:30])


def test_overlapping_rereads_and_a_rerun_leave_raw_as_one_uninterrupted_load(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    control = str(tmp_path / "control.duckdb")
    load_benchmark(sandbox, warehouse, tmp_path)
    sandbox.advance(hours=72)
    load_rereading(sandbox, warehouse, tmp_path)
    load_rereading(sandbox, warehouse, tmp_path)  # a re-run at the same clock
    assert duplicates(warehouse) == 0
    load_benchmark(sandbox, control, tmp_path / "control")  # one read, at the last clock
    assert events(warehouse) == events(control)


def test_run_killed_between_its_load_and_its_delete(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    control = str(tmp_path / "control.duckdb")
    for target, directory in ((warehouse, tmp_path), (control, tmp_path / "control")):
        load_benchmark(sandbox, target, directory)
    sandbox.advance(hours=72)
    load_benchmark(sandbox, control, tmp_path / "control")
    pipelines_dir = str(tmp_path / "dlt_pipelines")
    arguments = dict(warehouse=warehouse, pipelines_dir=pipelines_dir, **benchmark_kwargs(sandbox))
    killed_before_delete("benchmark", arguments)
    assert duplicates(warehouse) > 0, "the killed run left no re-read row: proves nothing"
    # staging collapses the duplicates: its data tests pass, the marts are right already
    dbt_build(warehouse, tmp_path, *BENCHMARK_ONLY, "--select", *REPORT_AND_FACTS)
    assert_marts_equal_truth(sandbox, warehouse)

    load_benchmark(sandbox, warehouse, tmp_path)  # the next run deletes them
    assert duplicates(warehouse) == 0
    assert events(warehouse) == events(control)


def test_a_warehouse_loaded_by_the_merge_keeps_loading(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first load as main's loader did it (merge on the 5-column key, nothing recorded to
    delete), then this one's, after a clock advance and once more at the same clock."""
    control = str(tmp_path / "control.duckdb")
    load_benchmark(sandbox, control, tmp_path / "control")
    resource = benchmark.contact_events

    def merged(*args: Any) -> Any:
        events = resource(*args)
        events.apply_hints(write_disposition="merge", primary_key=list(EVENT_KEY))
        return events

    with monkeypatch.context() as patch:
        patch.setattr(benchmark, "contact_events", merged)
        patch.setattr(replace, "remember", lambda *args, **kwargs: None)
        load_benchmark(sandbox, warehouse, tmp_path)
    stored = stored_table_schema(warehouse)
    assert stored["write_disposition"] == "merge"
    assert {c for c, h in stored["columns"].items() if h.get("primary_key")} == set(EVENT_KEY)

    sandbox.advance(hours=72)
    load_benchmark(sandbox, control, tmp_path / "control")
    load_rereading(sandbox, warehouse, tmp_path)
    load_rereading(sandbox, warehouse, tmp_path)
    assert stored_table_schema(warehouse)["write_disposition"] == "append"
    assert duplicates(warehouse) == 0
    assert events(warehouse) == events(control)


def stored_table_schema(warehouse: str) -> dict[str, Any]:
    """`contact_events` in the schema dlt stored in the warehouse with its latest load."""
    stored = query(
        warehouse,
        "select schema from raw_benchmark._dlt_version order by inserted_at desc limit 1",
    )[0][0]
    return json.loads(stored)["tables"]["contact_events"]  # type: ignore[no-any-return]
