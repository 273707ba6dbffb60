"""The warehouse a load writes to: the dlt destination chosen by WAREHOUSE, its load file format,
and the provider's dlt pipeline bound to it (pipelines/common/state.py)."""

from __future__ import annotations

import json
import os
from typing import Any

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from pipelines.common import state

# The PostgreSQL connection settings, the same environment variables libpq, psql and the dbt
# profile's `postgres` target read (README "Running on your warehouse").
POSTGRES_SETTINGS = {
    "host": ("PGHOST", "127.0.0.1"),
    "port": ("PGPORT", "5432"),
    "username": ("PGUSER", "postgres"),
    "password": ("PGPASSWORD", ""),
    "database": ("PGDATABASE", "email_analytics"),
}
# DuckDB's memory limit while dlt loads (WAREHOUSE_MEMORY_LIMIT; empty: DuckDB's own, 80% of the
# RAM). dlt's merge of a large load (staging copy, key join, deduplication) otherwise takes what it
# finds: 841 MB for Benchmark's 750k contact events at 1M; bounded, DuckDB spills to
# `<warehouse>.tmp/` instead (DECISIONLOG "Paged JSON as Arrow, pages ahead, bounded merge").
DEFAULT_DUCKDB_MEMORY_LIMIT = "192MB"


def postgres_credentials() -> dict[str, Any]:
    """dlt postgres credentials from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE."""
    values: dict[str, Any] = {
        key: os.environ.get(name) or default for key, (name, default) in POSTGRES_SETTINGS.items()
    }
    try:
        values["port"] = int(values["port"])
    except ValueError:
        raise ValueError(f"PGPORT must be a port number, not {values['port']!r}") from None
    return values


# Without insertion order DuckDB inserts an export window's Parquet file in parallel within that
# limit (3.4M APSIS rows: 4.8 s wall against 9.0 s; DECISIONLOG "Memory of the load step"); raw
# rows have no meaningful order (dbt orders them itself).
DUCKDB_LOAD_CONFIG: dict[str, Any] = {"preserve_insertion_order": False}


def duckdb_global_config() -> dict[str, Any]:
    """The loader's DuckDB settings: WAREHOUSE_MEMORY_LIMIT's limit and `DUCKDB_LOAD_CONFIG`, under
    the global config of dlt's configuration (`[destination.duckdb.credentials] global_config`,
    or DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG as JSON), which wins."""
    settings = dict(DUCKDB_LOAD_CONFIG)
    limit = os.environ.get("WAREHOUSE_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT).strip()
    if limit:
        settings["memory_limit"] = limit
    configured: Any = dlt.config.get("destination.duckdb.credentials.global_config")
    if isinstance(configured, str):
        configured = json.loads(configured)
    return {**settings, **(configured or {})}


def warehouse_kind() -> str:
    """The warehouse chosen by WAREHOUSE (default `duckdb`), a dlt destination name."""
    return os.environ.get("WAREHOUSE", "duckdb")


def duckdb_path(warehouse: str | None) -> str:
    """The DuckDB file's full path: ``warehouse``, else $WAREHOUSE_PATH, else ./warehouse.duckdb."""
    return os.path.abspath(warehouse or os.environ.get("WAREHOUSE_PATH", "warehouse.duckdb"))


def destination_for(warehouse: str | None) -> Any:
    """The dlt destination chosen by WAREHOUSE: `duckdb` (default; the file `warehouse`, else
    $WAREHOUSE_PATH), `postgres` (PG* environment variables), or any other dlt destination name,
    configured the dlt way (.dlt/secrets.toml or DESTINATION__<NAME>__CREDENTIALS)."""
    kind = warehouse_kind()
    if kind == "duckdb":
        return dlt.destinations.duckdb(
            DuckDbCredentials(duckdb_path(warehouse), global_config=duckdb_global_config())
        )
    if kind == "postgres":
        return dlt.destinations.postgres(credentials=postgres_credentials())
    return kind


def file_format() -> Any:
    """The load file format: Parquet into DuckDB, CSV (COPY) into PostgreSQL, else dlt's choice."""
    return {"duckdb": "parquet", "postgres": "csv"}.get(warehouse_kind())


def make_pipeline(
    provider: str, warehouse: str | None = None, pipelines_dir: str | None = None
) -> dlt.Pipeline:
    """The dlt pipeline of ``provider`` into the chosen warehouse. Its local working directory
    (state, pending packages) sits under ``pipelines_dir`` (default: dlt's) in a directory of that
    warehouse's own (pipelines/common/state.py), so warehouses never share cursors."""
    kind = warehouse_kind()
    destination = destination_for(warehouse)
    dataset = f"raw_{provider}"
    return dlt.pipeline(
        # the state stored in the warehouse is keyed by this name: `<provider>_postgres` is kept
        # for PostgreSQL (DECISIONLOG "PostgreSQL as the second engine")
        pipeline_name=provider if kind == "duckdb" else f"{provider}_{kind}",
        pipelines_dir=state.pipelines_dir_for(pipelines_dir, destination, dataset),
        destination=destination,
        dataset_name=dataset,
    )


def warehouse_location(warehouse: str | None) -> str:
    """The warehouse as the user would name it: the DuckDB file's full path, else the kind."""
    if warehouse_kind() == "duckdb":
        return duckdb_path(warehouse)
    if warehouse_kind() == "postgres":
        pg = postgres_credentials()
        return f"PostgreSQL {pg['host']}:{pg['port']}/{pg['database']}"
    return warehouse_kind()
