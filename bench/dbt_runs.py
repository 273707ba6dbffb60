"""dbt under benchmark: `dbt build` of the project on a warehouse (the dbt CLI of this virtualenv
in dbt_project/, the project's profile template, as the tests run it), a trivial one-model project
of the same profile type for dbt's fixed cost, and the slowest nodes of a build."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from bench import procs

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_PROJECT = """name: bench_trivial
version: "1.0"
config-version: 2
profile: email_analytics
model-paths: ["models"]
"""


def dbt_env(warehouse: Path, work: Path, step: str) -> dict[str, str]:
    """The environment of one dbt run: the warehouse, the profile template copied to `work`,
    the step's own target and log directories."""
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
    the data, and run in `make test`); raises when it fails."""
    return procs.run(
        dbt_command("build", "--vars", dbt_vars, "--exclude-resource-type", "unit_test"),
        env=dbt_env(warehouse, work, step),
        cwd=ROOT / "dbt_project",
        log=work / "logs" / f"dbt-{step}",
    ).check(f"dbt build ({step})")


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


def slowest_nodes(work: Path, step: str, count: int = 10) -> list[tuple[str, float]]:
    """The `count` nodes of a build with the longest execution time (run_results.json)."""
    results = json.loads((work / f"dbt_target_{step}" / "run_results.json").read_text())
    nodes = [(r["unique_id"], float(r["execution_time"])) for r in results["results"]]
    return sorted(nodes, key=lambda node: -node[1])[:count]
