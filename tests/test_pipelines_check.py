"""`python -m pipelines check` (run by `make transform`) on DuckDB files: dbt builds on any subset of
a provider's raw tables, so only a warehouse with nothing loaded stops the transform
(pipelines/check.py, docs/CONTRACTS.md 12)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.__main__ import main


def warehouse_with(path: Path, *tables: str) -> str:
    with duckdb.connect(str(path)) as con:
        for table in tables:
            schema, _ = table.split(".")
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {table} (id integer)")
    return str(path)


def test_check_fails_without_a_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.duckdb"
    assert main(["check", "--warehouse", str(missing)]) == 2
    assert f"error: the warehouse {missing} does not exist yet" in capsys.readouterr().err


def test_check_fails_when_no_provider_was_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # dlt's own bookkeeping, its `_staging` dataset and the loader's run history (failed runs
    # write it) are not raw tables of a provider
    path = warehouse_with(
        tmp_path / "w.duckdb",
        "raw_apsis_one._dlt_version",
        "raw_netcore_staging.events",
        "raw_benchmark.load_history",
    )
    assert main(["check", "--warehouse", path]) == 2
    assert "holds no raw table of any provider" in capsys.readouterr().err


def test_check_warns_about_providers_without_tables_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = warehouse_with(tmp_path / "w.duckdb", "raw_netcore.events", "raw_benchmark._dlt_loads")
    assert main(["check", "--warehouse", path]) == 0
    err = capsys.readouterr().err
    for provider in ("apsis_one", "maxemail", "benchmark"):
        assert f"warning: raw_{provider} holds no table" in err
        assert f"{provider}_enabled: false" in err
    assert "raw_netcore" not in err and "error" not in err
