"""Exactly-once raw rows of the file exports (issue 14): APSIS One's `email_events` and Maxemail's
export tables are appended to, and the rows a re-read window replaced are deleted once the load is
committed (pipelines/common/replace.py). Overlapping windows (the lookback re-read), a retried
export, a re-run at the same clock and a run killed between its load and its delete leave the raw
tables without a duplicate and equal to an uninterrupted warehouse; dbt collapses the duplicates
the killed run left, so the marts equal the truth even before the next run deletes them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    ROOT,
    Sandbox,
    apsis_kwargs,
    dbt_build,
    load_apsis,
    load_maxemail,
    maxemail_kwargs,
    query,
)
from tests.test_end_to_end_apsis_one import APSIS_ONLY, assert_marts_equal_truth
from tests.test_interrupted_runs import REPORT_AND_FACTS, assert_same_events
from tests.test_postgres import postgres as postgres  # the fixture: a fresh database
from tests.test_postgres import postgres_dicts

# about 40 s for its four tests on two cores (tests/shards.py)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(10)]

# Loads a provider; the process kills itself when the runner is about to delete the rows of the
# run's first load (the second `replace.apply`: the first one runs before any load).
KILLED_BEFORE_DELETE = """
import json, os, signal, sys
import pipelines.common.replace as replace
from pipelines.common.runner import load_provider

original, calls = replace.apply, []

def apply(*args, **kwargs):
    calls.append(1)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

replace.apply = apply
load_provider(sys.argv[1], **json.loads(sys.argv[2]))
"""

APSIS_IDENTITY = (
    "_account_id, activity_id, split_id, address, type, correlation_id, event_time, server_time, "
    "link_id"
)
MAXEMAIL_KEYS = {
    "sent": "email_id, email_address, sent_timestamp",
    "opened": "email_id, email_address, open_timestamp",
    "clicked": "email_id, email_address, url, click_timestamp",
    "responded": "email_id, email_address, click_timestamp",
    "bounced": "email_id, email_address, bounce_timestamp",
    "unsubscribed": "email_id, email_address, unsubscribe_timestamp",
}


def killed_before_delete(provider: str, arguments: dict[str, Any]) -> None:
    child = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_DELETE, provider, json.dumps(arguments)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-3000:]


def apsis_duplicates(warehouse: str) -> int:
    return query(
        warehouse,
        f"select count(*) - count(distinct ({APSIS_IDENTITY})) from raw_apsis_one.email_events",
    )[0][0]


def maxemail_duplicates(warehouse: str) -> dict[str, int]:
    return {
        table: query(
            warehouse,
            f"select count(*) - count(distinct (_account_id, _message_type, {key})) "
            f"from raw_maxemail.{table}",
        )[0][0]
        for table, key in MAXEMAIL_KEYS.items()
    }


def maxemail_rows(warehouse: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: query(
            warehouse,
            f"select * exclude (_dlt_load_id, _export_key) from raw_maxemail.{table} order by all",
        )
        for table in MAXEMAIL_KEYS
    }


def test_apsis_overlapping_windows_a_retried_export_and_reruns_leave_raw_as_one_load(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    sandbox.advance(hours=72)
    # the re-read window's export ends in error once (split in halves, each exported) and its
    # download breaks once (fetched again)
    sandbox.faults(fail_next_exports=1, truncate_downloads=1)
    load_apsis(sandbox, warehouse, tmp_path)
    statuses = query(warehouse, "select status, count(*) from raw_apsis_one.export_jobs group by 1")
    assert dict(statuses).get("split") == 1
    load_apsis(sandbox, warehouse, tmp_path)  # a re-run: the lookback window once more
    assert_raw_as_one_uninterrupted_load(sandbox, warehouse, tmp_path)


def test_apsis_run_killed_between_its_load_and_its_delete(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    sandbox.advance(hours=72)
    pipelines_dir = str(tmp_path / "dlt_pipelines")
    killed_before_delete(
        "apsis_one", dict(warehouse=warehouse, pipelines_dir=pipelines_dir, **apsis_kwargs(sandbox))
    )
    assert apsis_duplicates(warehouse) > 0, "the killed run left no re-read row: proves nothing"
    # staging collapses the duplicates: the marts are right before the next run
    dbt_build(warehouse, tmp_path, *APSIS_ONLY, *REPORT_AND_FACTS)
    assert_marts_equal_truth(sandbox, warehouse)

    load_apsis(sandbox, warehouse, tmp_path)  # the next run deletes them
    assert_raw_as_one_uninterrupted_load(sandbox, warehouse, tmp_path)


def assert_raw_as_one_uninterrupted_load(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    """No duplicate raw row, and the same events as one load of a fresh warehouse now."""
    assert apsis_duplicates(warehouse) == 0
    control = str(tmp_path / "control.duckdb")
    load_apsis(sandbox, control, tmp_path / "control")
    assert_same_events(warehouse, control)


def test_maxemail_rereads_retries_and_a_killed_run_leave_raw_as_uninterrupted_loads(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    control = str(tmp_path / "control.duckdb")
    sandbox.advance(hours=120)  # while the last campaign's opens come in (see the report marts)
    load_maxemail(sandbox, warehouse, tmp_path)
    load_maxemail(sandbox, control, tmp_path / "control")
    sandbox.advance(hours=48)
    load_maxemail(sandbox, control, tmp_path / "control")

    # an expired key (the export requested again) and a broken download (fetched again)
    sandbox.faults("maxemail", expire_next_keys=1, truncate_downloads=1)
    pipelines_dir = str(tmp_path / "dlt_pipelines")
    killed_before_delete(
        "maxemail",
        dict(warehouse=warehouse, pipelines_dir=pipelines_dir, **maxemail_kwargs(sandbox)),
    )
    left = maxemail_duplicates(warehouse)
    assert left["sent"] > 0 and left["opened"] > 0, f"no re-read row left: {left}"

    load_maxemail(sandbox, warehouse, tmp_path)  # the next run, at the same clock
    load_maxemail(sandbox, warehouse, tmp_path)  # and a re-run
    assert set(maxemail_duplicates(warehouse).values()) == {0}
    moved = query(
        warehouse,
        "select count(*) from (select _message_type, email_id, email_address "
        "from raw_maxemail.opened group by all having count(distinct open_timestamp) > 1)",
    )[0][0]
    assert moved > 0, "no pair's latest open moved between the reads: the earlier ones must stay"
    assert maxemail_rows(warehouse) == maxemail_rows(control)


@pytest.mark.postgres
def test_rereads_replace_their_rows_on_postgres(
    sandbox: Sandbox, postgres: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deletes are SQL PostgreSQL runs too: two loads with a clock advance between them leave
    no duplicate key, and the re-read windows did deliver rows again."""
    monkeypatch.setenv("WAREHOUSE", "postgres")
    for name, value in postgres.items():
        monkeypatch.setenv(name, value)
    for _ in range(2):
        load_apsis(sandbox, "unused", tmp_path)
        load_maxemail(sandbox, "unused", tmp_path)
        sandbox.advance(hours=72)

    def one(sql: str) -> Any:
        return next(iter(postgres_dicts(postgres, sql)[0].values()))

    identity = f"count(*) - count(distinct ({APSIS_IDENTITY}))"
    assert one(f"select {identity} as n from raw_apsis_one.email_events") == 0
    delivered = one("select sum(rows) as n from raw_apsis_one.export_jobs")
    assert one("select count(*) as n from raw_apsis_one.email_events") < delivered
    for table, key in MAXEMAIL_KEYS.items():
        duplicates = one(
            f"select count(*) - count(distinct (_account_id, _message_type, {key})) as n "
            f"from raw_maxemail.{table}"
        )
        assert duplicates == 0, table
    assert one("select count(*) as n from raw_maxemail.sent") + one(
        "select count(*) as n from raw_maxemail.opened"
    ) < one(
        "select sum(rows) as n from raw_maxemail.export_jobs where resource like '%_sent' "
        "or resource like '%_opened'"
    )
