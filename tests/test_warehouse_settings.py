"""The loader's DuckDB connections bound their memory (issue 14, DECISIONLOG "Memory of the load
step"), and a user's own DuckDB settings in dlt's config win over the project's."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.common.warehouse import DUCKDB_LOAD_CONFIG, make_pipeline


def settings(warehouse: str, tmp_path: Path) -> dict[str, str]:
    pipeline = make_pipeline("apsis_one", warehouse, str(tmp_path / "dlt_pipelines"))
    with pipeline.sql_client() as client:
        rows = client.execute_sql(
            "select name, value from duckdb_settings() "
            "where name in ('memory_limit', 'preserve_insertion_order')"
        )
    return dict(rows or [])


def test_the_loaders_duckdb_connection_has_a_memory_limit(tmp_path: Path) -> None:
    assert DUCKDB_LOAD_CONFIG["memory_limit"] == "128MB"
    found = settings(str(tmp_path / "w.duckdb"), tmp_path)
    assert found["memory_limit"] in ("122.0 MiB", "128.0 MiB", "128.0 MB"), found
    assert found["preserve_insertion_order"] == "false"


def test_duckdb_settings_in_dlt_config_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG", '{"memory_limit": "1GB"}')
    found = settings(str(tmp_path / "w.duckdb"), tmp_path)
    assert found["memory_limit"] in ("953.6 MiB", "1.0 GiB", "1000.0 MB"), found
    assert found["preserve_insertion_order"] == "false"  # the project's other setting stays
