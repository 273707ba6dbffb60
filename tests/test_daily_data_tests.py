"""Issue 15, point 2: the daily build's data tests check what the run can have changed, and the
full-history run (`make test-data-full`, i.e. `python -m pipelines transform --data-tests-full`)
checks all of it.

An old duplicate is planted in `marts.fct_email_events`: one event id twice, loaded 100 hours
before the newest load (older than `event_lookback_hours`, 72). Its id is in no raw table, so no
incremental run re-reads or replaces it, as an old row a bug once wrote would not be. After the
next day's load, the daily build (`python -m pipelines transform`, what `make transform` runs)
passes: its column_checks test (unique on `event_id` among its checks) ran and passed, scoped
to the rows within the lookback (`where: changed_rows(loaded_at)`), and the duplicate is still
there. The full-history run fails, naming that test, and the test's failing row names the column,
the check and the one repeated row.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, Sandbox, dbt_env, load_apsis, query

pytestmark = [pytest.mark.e2e, pytest.mark.cost(32)]

# the fact, what it reads and the data tests of those models only
SELECT = ("--select", "+fct_email_events", "--indirect-selection", "cautious")
PLANTED = "planted-old-duplicate"


def transform(warehouse: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m pipelines transform <args>` (make transform, make test-data-full) on `warehouse`."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines", "transform", *args],
        cwd=ROOT,
        env=dbt_env(warehouse, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )


def statuses(tmp_path: Path) -> dict[str, str]:
    """Test name -> status, from the last run's run_results.json."""
    results = json.loads((tmp_path / "dbt_target" / "run_results.json").read_text())["results"]
    return {
        r["unique_id"].split(".")[2]: r["status"]
        for r in results
        if r["unique_id"].startswith("test.")
    }


def test_the_daily_build_tests_what_it_changed_and_the_full_run_finds_an_old_duplicate(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    first = transform(warehouse, tmp_path, *SELECT)
    assert first.returncode == 0, first.stdout + first.stderr

    with duckdb.connect(warehouse) as con:
        for _ in range(2):
            con.execute(
                f"insert into marts.fct_email_events select * replace ('{PLANTED}' as event_id, "
                "(select max(loaded_at) from marts.fct_email_events) - interval 100 hour "
                "as loaded_at) from marts.fct_email_events limit 1"
            )

    sandbox.advance(hours=24)
    load_apsis(sandbox, warehouse, tmp_path)
    daily = transform(warehouse, tmp_path, *SELECT)
    assert daily.returncode == 0, daily.stdout + daily.stderr
    line = next(x for x in daily.stdout.splitlines() if x.startswith("dbt build: "))
    assert "unit tests excluded" in line and line.endswith(": ok"), daily.stdout
    ran = statuses(tmp_path)
    assert ran["column_checks_fct_email_events"] == "pass"
    assert len(ran) > 10 and set(ran.values()) <= {"pass", "warn"}, ran
    assert query(
        warehouse, f"select count(*) from marts.fct_email_events where event_id = '{PLANTED}'"
    ) == [(2,)], "the daily build replaced the old rows: the test would prove nothing"

    full = transform(warehouse, tmp_path, "--data-tests-full", "--select", "fct_email_events")
    out = full.stdout
    assert full.returncode == 1, out + full.stderr
    assert re.search(r"^dbt test: .*FAILED, exit code 1$", out, re.M), out
    assert re.findall(r"^FAIL test (\S+)$", out, re.M) == ["column_checks_fct_email_events"]
    assert statuses(tmp_path)["column_checks_fct_email_events"] == "fail"
    compiled = re.search(r"compiled SQL \(its query returns the failing rows\): (.+)$", out, re.M)
    assert compiled, out
    assert query(warehouse, Path(compiled.group(1)).read_text()) == [("event_id", "unique", 1)]
