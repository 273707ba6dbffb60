"""A staging model asks the warehouse whether its raw table exists, never dbt's relation cache.

dbt lists a schema it has not cached (the loaders' `raw_<provider>`) in the first model that asks,
and adds the schema's tables to its cache one by one; a model on another thread meanwhile sees the
schema as cached and only the tables added so far. Through `adapter.get_relation`, a staging model
then read a table that existed as empty: under load, the marts lost Netcore's `load_history`
(DECISIONLOG "Staging asks the warehouse, not dbt's cache").

The test puts dbt's cache in that state on purpose (`raw_netcore` and `raw_maxemail` cached with
their `events` alone) and runs the staging select through real dbt (`dbt show --inline`) on a
real DuckDB file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, dbt_env

pytestmark = pytest.mark.cost(10)

# raw_netcore and raw_maxemail cached by dbt with their `events` alone, as the listing thread
# leaves a schema midway
PARTLY_CACHED = "".join(
    "{% do adapter.cache_added(api.Relation.create(database='warehouse', "
    f"schema='raw_{provider}', identifier='events', type='table')) %}}"
    for provider in ("netcore", "maxemail")
)
# the staging select of both providers' `load_history`
STAGED = (
    "select 'netcore' as provider, run_id, run_status from ({{ stg_load_history('netcore') }}) "
    "as netcore union all select 'maxemail', run_id, run_status from "
    "({{ stg_load_history('maxemail') }}) as maxemail order by provider, run_id"
)


def show(warehouse: Path, tmp_path: Path, sql: str) -> tuple[list[dict[str, object]], str]:
    """The rows of ``sql`` run by `dbt show --inline` on ``warehouse``, and dbt's log."""
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "show",
            "--inline",
            sql,
            "--output",
            "json",
            "--log-format",
            "json",
            "--limit",
            "10",
        ],
        cwd=ROOT / "dbt_project",
        env=dbt_env(str(warehouse), tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    for line in result.stdout.splitlines():
        data = json.loads(line).get("data", {})
        if "preview" in data:
            return json.loads(data["preview"]), result.stdout
    raise AssertionError(f"dbt show printed no preview:\n{result.stdout[-4000:]}")


def test_staging_reads_a_table_of_a_partly_cached_schema_and_only_a_missing_one_as_empty(
    tmp_path: Path,
) -> None:
    """Netcore has `load_history` (two runs, no `error` column yet), Maxemail has none."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for provider in ("netcore", "maxemail"):
            con.execute(f"create schema raw_{provider}")
            con.execute(f"create table raw_{provider}.events (uuid varchar)")
        con.execute(
            "create table raw_netcore.load_history (run_id varchar, provider varchar, "
            "started_at timestamptz, finished_at timestamptz, seconds double, status varchar, "
            "loads bigint, rows bigint, export_jobs bigint, _dlt_load_id varchar)"
        )
        con.execute(
            "insert into raw_netcore.load_history values "
            "('a', 'netcore', '2026-11-30 06:00:00+00', '2026-11-30 06:01:00+00', 60, "
            "'succeeded', 3, 100, 2, '1796000000.1'), "
            "('b', 'netcore', '2026-11-30 07:00:00+00', '2026-11-30 07:00:30+00', 30, "
            "'failed', 0, 0, 0, '1796000001.1')"
        )

    rows, log = show(warehouse, tmp_path, PARTLY_CACHED + STAGED)

    assert rows == [
        {"provider": "netcore", "run_id": "a", "run_status": "succeeded"},
        {"provider": "netcore", "run_id": "b", "run_status": "failed"},
    ]
    assert "raw_maxemail.load_history does not exist: no row has reached it yet" in log
    assert "raw_netcore.load_history does not exist" not in log
