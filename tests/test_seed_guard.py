"""Issue 15, point 3: a seed edit cannot silently mix old and new decoding in the incremental
facts. `fct_email_events` keeps each event's `event_type`, `bounce_class` and `bounce_reason` as
decoded when it arrived; with the seed guard (dbt_project/macros/seed_guard.sql, one line
`{{ seed_guard() }}` in the model) an incremental build after an edit of `email_bounce_codes`
stops with an error naming the seed and the command that rebuilds the fact and what is built
from it, and that command brings the new decoding to every old event.

The test runs dbt in a copy of dbt_project/ whose fct_email_events.sql gets the line when the
model does not call the guard yet (the model belongs to another change); the guard macro itself
is the project's.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipelines.common.runner import load_provider
from tests.conftest import ROOT, Sandbox, apsis_kwargs, environ, query
from tests.test_postgres import postgres, postgres_dicts  # noqa: F401  (fixture)

# about 40 s for each engine (measured 37-43 s on two cores)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(40)]

GUARD_LINE = "{{ seed_guard() }}"
# the facts and what they read, seeds and models only (data tests and unit tests are not the point)
SELECT = (
    "--select",
    "+fct_email_deliveries",
    "--resource-type",
    "seed",
    "--resource-type",
    "model",
)
# the command the guard names, `--full-refresh -s fct_email_events+`, on the part of the project
# built here (its report marts also read models this test does not build)
REBUILD = (
    "--full-refresh",
    "--select",
    "fct_email_events+,+fct_email_deliveries",
    "--resource-type",
    "model",
)


def project_copy(tmp_path: Path) -> Path:
    """dbt_project/ copied, fct_email_events calling the seed guard."""
    project = tmp_path / "dbt_project"
    shutil.copytree(
        ROOT / "dbt_project",
        project,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    model = project / "models/marts/core/fct_email_events.sql"
    sql = model.read_text()
    if "seed_guard(" not in sql:
        head, config_start, rest = sql.partition("{{\n    config(")
        config, end, body = rest.partition("\n}}\n")
        assert config_start and end, "fct_email_events.sql has no config block to follow"
        sql = f"{head}{config_start}{config}{end}\n{GUARD_LINE}\n{body}"
        model.write_text(sql)
    return project


class Warehouse:
    """DuckDB (a file) or PostgreSQL (a fresh database): loads, dbt in `project`, queries."""

    def __init__(self, tmp_path: Path, postgres_env: dict[str, str] | None) -> None:
        self.tmp_path = tmp_path
        self.path = str(tmp_path / "warehouse.duckdb")
        engine = {"WAREHOUSE": "postgres", **postgres_env} if postgres_env else {}
        self.env = {"WAREHOUSE": "duckdb", "WAREHOUSE_PATH": self.path, **engine}

    def load_apsis(self, sandbox: Sandbox) -> None:
        with environ(self.env):
            load_provider(
                "apsis_one",
                warehouse=self.path,
                pipelines_dir=str(self.tmp_path / "dlt_pipelines"),
                **apsis_kwargs(sandbox),
            )

    def dbt(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        profiles = self.tmp_path / "dbt_profiles"
        profiles.mkdir(exist_ok=True)
        shutil.copy(ROOT / "profiles.example.yml", profiles / "profiles.yml")
        env = {
            **os.environ,
            **self.env,
            "DBT_PROFILES_DIR": str(profiles),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        return subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), "build", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def build_ok(self, project: Path, *args: str) -> None:
        result = self.dbt(project, *args)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.env["WAREHOUSE"] == "postgres":
            return [tuple(row.values()) for row in postgres_dicts(self.env, sql)]
        return query(self.path, sql)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    if request.param == "postgres":
        return Warehouse(tmp_path, request.getfixturevalue("postgres"))
    return Warehouse(tmp_path, None)


BOUNCES = (
    "select bounce_class, count(*) from marts.fct_email_events "
    "where provider = 'apsis_one' and event_type = 'bounced' group by 1 order by 1"
)


def test_a_seed_edit_stops_the_incremental_fact_until_the_command_it_names_rebuilds_it(
    sandbox: Sandbox, warehouse: Warehouse, tmp_path: Path
) -> None:
    project = project_copy(tmp_path)
    warehouse.load_apsis(sandbox)
    warehouse.build_ok(project, *SELECT)
    guard = "select model_name, seed_name from seeds.seed_guard order by seed_name"
    recorded_names = warehouse.rows(guard)
    assert recorded_names[:4] == [
        ("fct_email_events", "email_bounce_codes"),
        ("fct_email_events", "email_event_type_map"),
        ("fct_email_events", "email_machine_ip_prefixes"),
        ("fct_email_events", "email_providers"),
    ]
    # and the machine rules' vars (issue 16), recorded as `var:<name>`
    assert ("fct_email_events", "var:machine_open_seconds_after_delivery") in recorded_names
    before = dict(warehouse.rows(BOUNCES))
    assert before.get("hard", 0) > 0, before

    # every APSIS One code range decoded `hard` becomes `soft`
    seed = project / "seeds/email_bounce_codes.csv"
    with seed.open(newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        if row["provider"] == "apsis_one" and row["bounce_class"] == "hard":
            row["bounce_class"] = "soft"
    with seed.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    stopped = warehouse.dbt(project, *SELECT)
    out = stopped.stdout
    assert stopped.returncode == 1, out[-3000:]
    assert "seed email_bounce_codes changed since fct_email_events was built" in out, out[-3000:]
    command = "--full-refresh -s fct_email_events+"
    assert f'make transform DBT_ARGS="{command}" (dbt build {command})' in out
    # the seed itself was rebuilt, the fact was not touched
    assert warehouse.rows(
        "select count(*) from seeds.email_bounce_codes where "
        "provider = 'apsis_one' and bounce_class = 'hard'",
    ) == [(0,)]
    assert dict(warehouse.rows(BOUNCES)) == before

    # the command the error names: every old event decoded by the new seed
    warehouse.build_ok(project, *REBUILD)
    after = dict(warehouse.rows(BOUNCES))
    assert "hard" not in after and after.get("soft", 0) == before["hard"] + before.get("soft", 0)
    # and the daily build passes the guard again (it stops only when a seed changed)
    warehouse.build_ok(project, *SELECT)
    recorded = warehouse.rows(
        "select count(distinct checksum) from seeds.seed_guard where model_name = "
        "'fct_email_events' and seed_name = 'email_bounce_codes'"
    )
    assert recorded == [(1,)]

    # a machine rule's var changed (issue 16): stopped the same way, naming the var
    changed_var = warehouse.dbt(
        project, *SELECT, "--vars", "{machine_open_seconds_after_delivery: 30}"
    )
    assert changed_var.returncode == 1, changed_var.stdout[-3000:]
    assert "var machine_open_seconds_after_delivery changed since fct_email_events" in (
        changed_var.stdout
    ), changed_var.stdout[-3000:]
