"""The project's generic data tests fail on crafted bad rows and pass on good ones.

A tiny dbt project in a temporary directory holds a copy of dbt_project/macros/tests (the
generic tests and our get_where_subquery), with macros/incremental_lookback.sql (the lookback's
start that `changed_rows` uses) and macros/providers.sql (the registry that registered_provider
checks), and models of a few literal rows; `dbt test --store-failures` runs on a DuckDB file and
the stored failure rows are read back: each check must name the column (or the combination), the
check and the count of the bad rows it found.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent

# One row per line: id, kind (accepted: a, b), code, loaded_at. `good` breaks no rule (nulls are
# allowed in kind and code: not_null is not asked of them, and unique / accepted_values skip
# nulls as dbt's own tests do).
GOOD = """
select * from (values
    (1, 'a', 'x1', timestamp '2026-01-10 00:00:00'),
    (2, 'b', 'x2', timestamp '2026-01-10 00:00:00'),
    (3, null, null, timestamp '2026-01-10 00:00:00'),
    (4, 'a', null, timestamp '2026-01-01 00:00:00')
) as t(id, kind, code, loaded_at)
"""

# Two null ids, one value outside the accepted ones, one code three times (2 repeats), the pair
# (kind, code) = ('a', 'x1') twice (1 repeat), and among the rows of kind 'a' one loaded_at twice
# (1 repeat: over all rows that loaded_at repeats 3 times, the where of the combination counts).
BAD = """
select * from (values
    (null, 'a', 'x1', timestamp '2026-01-10 00:00:00'),
    (null, 'a', 'x1', timestamp '2026-01-10 00:00:00'),
    (3, 'c', 'x1', timestamp '2026-01-10 00:00:00'),
    (4, 'b', 'x4', timestamp '2026-01-10 00:00:00')
) as t(id, kind, code, loaded_at)
"""

# The bad rows (a null id, a kind outside the list; code 'x1' twice) were loaded 9 days before
# the newest row: a daily test scoped to changed_rows(loaded_at) with a 72 h lookback does not
# see them; the full run (data_tests_full) does.
OLD_BAD = """
select * from (values
    (null, 'z', 'x1', timestamp '2026-01-01 00:00:00', '1767225600.5'),
    (5, 'a', 'x1', timestamp '2026-01-01 00:00:00', '1767225600.5'),
    (2, 'a', 'x2', timestamp '2026-01-10 00:00:00', '1768003200.25')
) as t(id, kind, code, loaded_at, dlt_load_id)
"""

# The same rule by dlt load id (changed_loads): the bad row is in the newest load but one,
# loaded 71 h before the newest, inside the 72 h lookback: the daily run sees it.
RECENT_BAD = """
select * from (values
    (1, 'a', 'x1', timestamp '2026-01-01 00:00:00', '1767225600.5'),
    (null, 'z', 'x2', timestamp '2026-01-07 01:00:00', '1767747600.75'),
    (3, 'b', 'x3', timestamp '2026-01-10 00:00:00', '1768003200.25')
) as t(id, kind, code, loaded_at, dlt_load_id)
"""

# Two rows whose code is null: `unique` on a column ignores nulls (as dbt's unique), a
# combination counts a null as a value (as unique_combination_of_columns did).
NULL_REPEATS = """
select * from (values (1, null), (2, null), (3, 'x3')) as t(id, code)
"""

# The parent of `kind` for the relationships check: bad's 'c' is not in it.
KINDS = """
select * from (values ('a'), ('b')) as t(kind)
"""

# One provider outside the registry (macros/providers.sql), one null (not checked).
PROVIDERS = """
select * from (values ('netcore'), ('nope'), (null), ('benchmark')) as t(provider)
"""

CHECKS = """
      - column_checks:
          name: column_checks_{model}
          arguments:
            not_null: [id, loaded_at]
            unique:
              - code
              - [kind, code]
              - {{columns: [loaded_at], where: "kind = 'a'"}}
            relationships:
              kind: {{to: "ref('kinds')", field: kind}}
            accepted_values:
              kind: ["a", "b"]
"""

SCHEMA = f"""
version: 2
models:
  - name: good
    data_tests:{CHECKS.format(model="good")}
  - name: bad
    data_tests:{CHECKS.format(model="bad")}
  - name: providers
    data_tests:
      - column_checks:
          name: column_checks_providers
          arguments:
            registered_provider: [provider]
  - name: null_repeats
    data_tests:
      - column_checks:
          name: column_checks_null_repeats
          arguments:
            unique: [code, [code]]
      - column_checks:
          name: column_checks_null_repeats_only_combination
          arguments:
            unique: [[id], [code]]
  - name: old_bad
    data_tests:
      - column_checks:
          name: column_checks_old_bad
          arguments:
            not_null: [id]
            unique: [[code]]
            accepted_values:
              kind: ["a", "b"]
          config:
            where: "changed_rows(loaded_at)"
      - column_checks:
          name: column_checks_old_bad_loads
          arguments:
            not_null: [id]
            unique: [[code]]
            accepted_values:
              kind: ["a", "b"]
          config:
            where: "changed_loads(dlt_load_id)"
  - name: recent_bad
    data_tests:
      - column_checks:
          name: column_checks_recent_bad_loads
          arguments:
            not_null: [id]
            accepted_values:
              kind: ["a", "b"]
          config:
            where: "changed_loads(dlt_load_id)"
"""


def run_dbt_test(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    project = tmp_path / "project"
    if not project.exists():
        (project / "models").mkdir(parents=True)
        shutil.copytree(ROOT / "dbt_project" / "macros" / "tests", project / "macros" / "tests")
        for macros in ("incremental_lookback.sql", "providers.sql"):
            shutil.copy(ROOT / "dbt_project" / "macros" / macros, project / "macros")
        (project / "dbt_project.yml").write_text(
            "name: generic_tests\nversion: '1.0.0'\nconfig-version: 2\nprofile: generic_tests\n"
            "vars:\n  event_lookback_hours: 72\n  data_tests_full: false\n"
            "models:\n  generic_tests:\n    +materialized: table\n"
        )
        (project / "profiles.yml").write_text(
            "generic_tests:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
            f"      path: {tmp_path / 'warehouse.duckdb'}\n      threads: 1\n"
        )
        for name, sql in {
            "good": GOOD,
            "bad": BAD,
            "old_bad": OLD_BAD,
            "recent_bad": RECENT_BAD,
            "null_repeats": NULL_REPEATS,
            "kinds": KINDS,
            "providers": PROVIDERS,
        }.items():
            (project / "models" / f"{name}.sql").write_text(sql)
        (project / "models" / "schema.yml").write_text(SCHEMA)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "build", "--store-failures", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    results_path = project / "target" / "run_results.json"
    if not results_path.exists():
        pytest.fail(f"dbt did not run:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    results = json.loads(results_path.read_text())["results"]
    by_model = {
        r["unique_id"].split(".")[2].removeprefix("column_checks_"): r
        for r in results
        if r["unique_id"].startswith("test.")
    }
    return result.returncode, by_model


def stored_failures(tmp_path: Path, model: str) -> set[tuple[str, str, int]]:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select column_name, check_name, failing_rows"
            f" from main_dbt_test__audit.column_checks_{model}"
        ).fetchall()
    return {(c, k, int(n)) for c, k, n in rows}


def test_column_checks_passes_good_rows_and_names_each_failing_check(tmp_path: Path) -> None:
    returncode, results = run_dbt_test(tmp_path)
    assert returncode == 1
    assert results["good"]["status"] == "pass"
    assert results["bad"]["status"] == "fail"
    assert stored_failures(tmp_path, "good") == set()
    assert stored_failures(tmp_path, "bad") == {
        ("id", "not_null", 2),
        ("code", "unique", 2),
        ("kind, code", "unique_combination", 1),
        ("loaded_at", "unique_combination where kind = 'a'", 1),
        ("kind", "accepted_values", 1),
        ("kind", 'relationships "warehouse"."main"."kinds".kind', 1),
    }
    assert stored_failures(tmp_path, "providers") == {("provider", "registered_provider", 1)}
    # a null repeats in a combination, not in a column's unique; a test of combinations only
    assert results["null_repeats"]["status"] == "fail"
    assert stored_failures(tmp_path, "null_repeats") == {("code", "unique_combination", 1)}
    assert results["null_repeats_only_combination"]["status"] == "fail"
    assert stored_failures(tmp_path, "null_repeats_only_combination") == {
        ("code", "unique_combination", 1)
    }
    # outside the lookback: the daily run does not see the old bad row, by either rule
    assert results["old_bad"]["status"] == "pass"
    assert results["old_bad_loads"]["status"] == "pass"
    # inside it, by load id
    assert results["recent_bad_loads"]["status"] == "fail"
    assert stored_failures(tmp_path, "recent_bad_loads") == {
        ("id", "not_null", 1),
        ("kind", "accepted_values", 1),
    }


def test_changed_rows_and_loads_scopes_are_lifted_by_data_tests_full(tmp_path: Path) -> None:
    returncode, results = run_dbt_test(
        tmp_path, "--select", "old_bad", "--vars", "{data_tests_full: true}"
    )
    assert returncode == 1
    for test in ("old_bad", "old_bad_loads"):
        assert results[test]["status"] == "fail"
        assert stored_failures(tmp_path, test) == {
            ("id", "not_null", 1),
            ("code", "unique_combination", 1),
            ("kind", "accepted_values", 1),
        }
