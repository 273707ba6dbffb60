"""The same project on PostgreSQL (issue 6): the sandbox world, every provider, loaded by dlt's
postgres destination and built by dbt-postgres holds exactly the rows that DuckDB holds, in every
table of the `marts` schema.

The server is a throwaway local one that scripts/postgres.sh installs (Debian's package) and
starts on loopback. Under CI (CI=true) or `make test-postgres` (EMAIL_ELT_POSTGRES=1) a server
that cannot be started fails the test; elsewhere the test runs when PostgreSQL's server is
installed and is skipped, saying why, when it is not.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipelines.common.runner import LoadError, load_provider
from tests.conftest import (
    ROOT,
    Sandbox,
    apsis_kwargs,
    benchmark_kwargs,
    dbt_build,
    environ,
    maxemail_kwargs,
    netcore_kwargs,
    query_dicts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SCRIPT = ROOT / "scripts" / "postgres.sh"
# The settings scripts/postgres.sh uses unless they are set (its defaults).
SERVER = {
    "PGHOST": "127.0.0.1",
    "PGPORT": os.environ.get("PGPORT", "55432"),
    "PGUSER": os.environ.get("PGUSER", "elt"),
    "PGPASSWORD": os.environ.get("PGPASSWORD", "elt-local-test"),
}
KWARGS = {
    "apsis_one": apsis_kwargs,
    "maxemail": maxemail_kwargs,
    "netcore": netcore_kwargs,
    "benchmark": benchmark_kwargs,
}
# Both builds report as of the world clock, bucketed in a zone with daylight saving.
VARS = ("--vars", "{report_as_of: '2026-05-01T00:00:00Z', reporting_timezone: Europe/London}")
# Columns that differ between any two loads: when dlt loaded the rows.
LOAD_TIME_COLUMNS = {"loaded_at", "last_loaded_at", "classified_loaded_at", "dlt_load_id"}
# Columns of a mart that differ between any two runs of the loader: when each run or export job
# ended and how long it took; and `rows_loaded`, the loader's summary of dlt's normalize counts,
# which differ by destination (one APSIS One load: 6 `activities` rows counted into DuckDB, 66
# into PostgreSQL, for the same 6 rows stored). email_pipeline_health's run and export job
# counts and export rows are compared.
RUN_TIME_COLUMNS = {
    "email_pipeline_health": {
        "load_seconds",
        "last_run_at",
        "export_seconds",
        "last_succeeded_load_at",
        "rows_loaded",
    },
}


def required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("EMAIL_ELT_POSTGRES") == "1"


def server_installed() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or bool(shutil.which("initdb"))


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    """A fresh database on the local server; yields the PG* environment to reach it."""
    if not required() and not server_installed():
        pytest.skip(
            "PostgreSQL's server is not installed here; `make test-postgres` installs and starts one"
        )
    result = subprocess.run(
        [str(SCRIPT), "start"], env={**os.environ, **SERVER}, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/postgres.sh start failed:\n{result.stderr[-3000:]}")
    import psycopg2

    database = f"elt_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(
        host=SERVER["PGHOST"],
        port=int(SERVER["PGPORT"]),
        user=SERVER["PGUSER"],
        password=SERVER["PGPASSWORD"],
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'create database "{database}"')
    try:
        yield {**SERVER, "PGDATABASE": database}
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{database}" with (force)')
        admin.close()


def load_everything(sandbox: Sandbox, pipelines_dir: Path, env: dict[str, str]) -> None:
    """Every provider into the warehouse `env` selects (WAREHOUSE and its settings)."""
    with environ(env):
        for provider, kwargs in KWARGS.items():
            load_provider(
                provider,
                warehouse=env.get("WAREHOUSE_PATH"),
                pipelines_dir=str(pipelines_dir),
                **kwargs(sandbox),
            )


def postgres_dicts(env: dict[str, str], sql: str) -> list[dict[str, Any]]:
    import psycopg2

    with (
        psycopg2.connect(
            host=env["PGHOST"],
            port=int(env["PGPORT"]),
            user=env["PGUSER"],
            password=env["PGPASSWORD"],
            dbname=env["PGDATABASE"],
        ) as con,
        con.cursor() as cursor,
    ):
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def comparable(value: Any) -> Any:
    """One form for both engines: numbers as normalised Decimals (floats to 9 places), times as
    naive UTC."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value).normalize()
    if isinstance(value, float):
        return Decimal(str(round(value, 9))).normalize()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def rows_of(records: list[dict[str, Any]], columns: list[str]) -> Counter[tuple[Any, ...]]:
    def value(record: dict[str, Any], column: str) -> Any:
        # Maxemail's numbers are as of the loader's `find` call, timed by the loader's clock
        if column == "reported_at" and record.get("provider") == "maxemail":
            return "load time"
        return comparable(record[column])

    return Counter(tuple(value(r, c) for c in columns) for r in records)


@pytest.mark.cost(70)
def test_every_mart_is_identical_on_postgres_and_duckdb(
    sandbox: Sandbox, postgres: dict[str, str], tmp_path: Path
) -> None:
    duck = str(tmp_path / "warehouse.duckdb")
    load_everything(
        sandbox, tmp_path / "dlt_duckdb", {"WAREHOUSE": "duckdb", "WAREHOUSE_PATH": duck}
    )
    load_everything(sandbox, tmp_path / "dlt_postgres", {"WAREHOUSE": "postgres", **postgres})
    # unit tests on PostgreSQL prove the models' SQL runs there (test_end_to_end_marts runs
    # them on DuckDB)
    dbt_build(duck, tmp_path / "duckdb", *VARS)
    dbt_build(
        duck,
        tmp_path / "postgres",
        *VARS,
        env={"WAREHOUSE": "postgres", **postgres},
        unit_tests=True,
    )

    listing = (
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' order by table_name"
    )
    marts = [r["table_name"] for r in query_dicts(duck, listing)]
    # every model of models/marts (all enabled with every provider on) is compared
    assert marts == sorted(path.stem for path in (ROOT / "dbt_project/models/marts").rglob("*.sql"))
    assert [r["table_name"] for r in postgres_dicts(postgres, listing)] == marts

    problems, total = [], 0
    for mart in marts:
        on_duckdb = query_dicts(duck, f"select * from marts.{mart}")
        on_postgres = postgres_dicts(postgres, f"select * from marts.{mart}")
        columns = sorted(set(on_duckdb[0]) if on_duckdb else set())
        pg_columns = sorted(set(on_postgres[0]) if on_postgres else set())
        if on_duckdb and on_postgres and columns != pg_columns:
            problems.append(f"{mart}: columns differ: {set(columns) ^ set(pg_columns)}")
            continue
        columns = [
            c
            for c in columns
            if c not in LOAD_TIME_COLUMNS and c not in RUN_TIME_COLUMNS.get(mart, set())
        ]
        left, right = rows_of(on_duckdb, columns), rows_of(on_postgres, columns)
        total += len(on_duckdb)
        if left != right:
            only_duck, only_pg = list((left - right).elements()), list((right - left).elements())
            problems.append(
                f"{mart}: {len(only_duck)} rows only on DuckDB, {len(only_pg)} only on PostgreSQL"
                f"\n  duckdb:   {dict(zip(columns, only_duck[0], strict=True)) if only_duck else ''}"
                f"\n  postgres: {dict(zip(columns, only_pg[0], strict=True)) if only_pg else ''}"
            )
    assert not problems, "\n".join(problems)
    assert total > 10_000, f"only {total} mart rows compared"


@pytest.mark.cost(1)
def test_a_wrong_password_names_the_provider_and_never_shows_the_password(
    sandbox: Sandbox, postgres: dict[str, str], tmp_path: Path
) -> None:
    secret = "not-the-password-" + uuid.uuid4().hex[:8]
    saved = dict(os.environ)
    os.environ.update({"WAREHOUSE": "postgres", **postgres, "PGPASSWORD": secret})
    try:
        with pytest.raises(LoadError) as raised:
            load_provider(
                "benchmark", pipelines_dir=str(tmp_path / "dlt"), **benchmark_kwargs(sandbox)
            )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    message = str(raised.value)
    assert "Benchmark" in message
    assert secret not in message
