"""The loader's DuckDB connections insert without insertion order within the memory limit
(issue 14, DECISIONLOG "Memory of the load step"), and a user's own DuckDB settings in dlt's
config win over the project's."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.common.warehouse import make_pipeline


def settings(warehouse: str, tmp_path: Path) -> dict[str, str]:
    pipeline = make_pipeline("apsis_one", warehouse, str(tmp_path / "dlt_pipelines"))
    with pipeline.sql_client() as client:
        rows = client.execute_sql(
            "select name, value from duckdb_settings() "
            "where name in ('memory_limit', 'preserve_insertion_order')"
        )
    return {str(name): str(value) for name, value in rows or []}


def test_the_loaders_duckdb_connection_inserts_without_order_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAREHOUSE_MEMORY_LIMIT", raising=False)
    found = settings(str(tmp_path / "w.duckdb"), tmp_path)
    assert found == {"memory_limit": "183.1 MiB", "preserve_insertion_order": "false"}


def test_duckdb_settings_in_dlt_config_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG", '{"memory_limit": "1GB"}')
    found = settings(str(tmp_path / "w.duckdb"), tmp_path)
    assert found == {"memory_limit": "953.6 MiB", "preserve_insertion_order": "false"}
