"""dbt under benchmark: `dbt build` of the project on a warehouse (the dbt CLI of this virtualenv
in dbt_project/, the project's profile template, as the tests run it), a trivial one-model project
of the same profile type for dbt's fixed cost, and the slowest nodes of a build."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import duckdb

from bench import procs

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_PROJECT = """name: bench_trivial
version: "1.0"
config-version: 2
profile: email_analytics
model-paths: ["models"]
"""


# The project's builds share one target directory, as a user's `make transform` reuses
# dbt_project/target day after day: dbt then partial-parses (reads target/partial_parse.msgpack
# and re-parses only changed files) instead of parsing ~60 models and ~250 tests again (measured
# at 1M: a full parse 8 CPU s, a partial one 3). Each build's run_results.json is copied to
# `run_results_<step>.json` beside it for slowest_nodes.
PROJECT_TARGET = "project"


def dbt_env(warehouse: Path, work: Path, step: str) -> dict[str, str]:
    """The environment of one dbt run: the warehouse, the profile template copied to `work`,
    the step's target directory (`dbt_target_<step>`) and its own log directory."""
    profiles = work / "dbt_profiles"
    if not (profiles / "profiles.yml").exists():
        profiles.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "profiles.example.yml", profiles / "profiles.yml")
    return {
        **os.environ,
        "WAREHOUSE": "duckdb",
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(profiles),
        "DBT_TARGET_PATH": str(work / f"dbt_target_{step}"),
        "DBT_LOG_PATH": str(work / f"dbt_logs_{step}"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("dbt")), *args]


def build(warehouse: Path, work: Path, step: str, dbt_vars: str) -> procs.Measured:
    """`dbt build --vars ... --exclude-resource-type unit_test` of the project on `warehouse`
    (what `make transform` runs: models, seeds and data tests; the unit tests test the SQL, not
    the data, and run in `make test`); raises when it fails.

    Every step uses the one PROJECT_TARGET directory. dbt re-parses the whole project when
    `--vars` differ from the previous run's, and the bench's vars do by construction (each step
    pins report_as_of to the sandbox clock; the daily step sets event_lookback_hours 0), while a
    user's daily run passes the same vars as the day before. So a `dbt parse` with this step's
    vars, not measured, stands in for yesterday's run before a step that follows another:
    the measured build then partial-parses as a user's does."""
    env = dbt_env(warehouse, work, PROJECT_TARGET)
    target = Path(env["DBT_TARGET_PATH"])
    if (target / "partial_parse.msgpack").exists():
        procs.run(
            dbt_command("parse", "--vars", dbt_vars),
            env=env,
            cwd=ROOT / "dbt_project",
            log=work / "logs" / f"dbt-parse-{step}",
        ).check(f"dbt parse (before {step})")
    measured = procs.run(
        dbt_command("build", "--vars", dbt_vars, "--exclude-resource-type", "unit_test"),
        env={**env, "DBT_LOG_PATH": str(work / f"dbt_logs_{step}")},
        cwd=ROOT / "dbt_project",
        log=work / "logs" / f"dbt-{step}",
    )
    results = target / "run_results.json"
    if results.exists():
        shutil.copy(results, target / f"run_results_{step}.json")
    return measured.check(f"dbt build ({step})")


def trivial_build(work: Path) -> procs.Measured:
    """`dbt build` of a generated one-model project (`select 1`) on its own DuckDB file."""
    project = work / "trivial_project"
    (project / "models").mkdir(parents=True, exist_ok=True)
    (project / "dbt_project.yml").write_text(TRIVIAL_PROJECT)
    (project / "models" / "one.sql").write_text("select 1 as one\n")
    return procs.run(
        dbt_command("build"),
        env=dbt_env(work / "trivial.duckdb", work, "trivial"),
        cwd=project,
        log=work / "logs" / "dbt-trivial",
    ).check("dbt build of the trivial project")


def empty_copy(warehouse: Path, target: Path) -> None:
    """A DuckDB file at `target` with every raw table of `warehouse` (its dlt schemas, `raw_*`)
    and none of their rows: the project builds on it with no data to transform."""
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute(f"attach '{warehouse}' as source (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = 'source' and table_schema like 'raw%'"
            " and table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(
                f'create table "{schema}"."{table}" as'
                f' select * from source."{schema}"."{table}" limit 0'
            )
    finally:
        con.close()


def empty_build(warehouse: Path, work: Path, dbt_vars: str) -> procs.Measured:
    """The project's own fixed cost: a copy of `warehouse` without rows (empty_copy), built once
    in full (not measured), then the measured build with `dbt_vars`, which finds nothing new,
    as a daily run on a day without loads would: every node's dbt overhead and no data."""
    empty = work / "empty.duckdb"
    empty_copy(warehouse, empty)
    build(empty, work, "empty_first", dbt_vars)
    return build(empty, work, "empty", dbt_vars)


def slowest_nodes(work: Path, step: str, count: int = 10) -> list[tuple[str, float]]:
    """The `count` nodes of a build with the longest execution time (its run_results.json)."""
    path = work / f"dbt_target_{PROJECT_TARGET}" / f"run_results_{step}.json"
    results = json.loads(path.read_text())
    nodes = [(r["unique_id"], float(r["execution_time"])) for r in results["results"]]
    return sorted(nodes, key=lambda node: -node[1])[:count]
