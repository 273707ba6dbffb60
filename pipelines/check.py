"""`python -m pipelines check` (run by `make transform`): can dbt build on this warehouse?

dbt builds on any subset of a provider's raw tables: a table the loader has not created reads as
empty (dbt_project/macros/staging/staging_source.sql, docs/CONTRACTS.md 12). So a provider
without any raw table is a warning, not an error: its rows in the marts stay empty until it is
loaded (or it is switched off). A warehouse file that does not exist, or one holding no raw table
of any provider, is an error: nothing was loaded there, which is a wrong `WAREHOUSE_PATH` or a
forgotten `make load` far more often than an intention. A warehouse another process holds (DuckDB
allows one writer) is an error naming that process, rather than dbt's traceback; and a dbt var
that dbt_project.yml does not declare (`maxemial_enabled`) is an error naming the closest one,
rather than a var dbt silently ignores (pipelines/dbt_vars.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from pipelines.common.runner import PROVIDERS
from pipelines.common.warehouse import duckdb_path, warehouse_kind
from pipelines.dbt_vars import unknown_var_errors

HINT = "run `make load` first (or `make load-sandbox` with `make sandbox` running), or `make demo`"


@dataclass
class WarehouseCheck:
    """The outcome: an error (dbt should not run) and warnings (it may)."""

    error: str | None = None
    warnings: list[str] = field(default_factory=list)


# The loader's own record of its runs (pipelines/common/history.py): a failed run writes it too.
NOT_DATA = {"load_history"}


def raw_tables(path: str) -> dict[str, set[str]]:
    """The data tables (not dlt's `_dlt_*` bookkeeping, nor the run history) of each provider's
    `raw_<provider>`."""
    import duckdb

    schemas = {f"raw_{provider}": provider for provider in PROVIDERS}
    found: dict[str, set[str]] = {provider: set() for provider in PROVIDERS}
    with duckdb.connect(path, read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    for schema, table in rows:
        if schema in schemas and not table.startswith("_dlt") and table not in NOT_DATA:
            found[schemas[schema]].add(table)
    return found


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def locked_message(path: str, error: Exception) -> str:
    """DuckDB's lock error as one sentence naming the file and the process that holds it."""
    holder = _LOCK_HOLDER.search(str(error))
    who = f"process {holder['pid']} ({holder['program']})" if holder else "another process"
    return (
        f"the warehouse {path} is locked by {who}: DuckDB allows one writer at a time (a running "
        "load, dbt run, BI tool or notebook). Wait for it to finish or close it, then re-run"
    )


def check_warehouse(warehouse: str | None, dbt_args: str = "") -> WarehouseCheck:
    """Check the dbt vars in ``dbt_args`` and the DuckDB warehouse (other engines: vars only)."""
    var_errors = unknown_var_errors(dbt_args)
    if var_errors:
        return WarehouseCheck(error="; ".join(var_errors))
    if warehouse_kind() != "duckdb":
        return WarehouseCheck()
    path = duckdb_path(warehouse)
    if not os.path.exists(path):
        return WarehouseCheck(error=f"the warehouse {path} does not exist yet: {HINT}")
    try:
        tables = raw_tables(path)
    except Exception as exc:  # duckdb.IOException; duckdb is imported lazily
        if "Could not set lock" in str(exc):
            return WarehouseCheck(error=locked_message(path, exc))
        raise
    missing = [provider for provider, names in tables.items() if not names]
    if len(missing) == len(PROVIDERS):
        return WarehouseCheck(
            error=f"the warehouse {path} holds no raw table of any provider: {HINT}"
        )
    warnings = [
        f"raw_{provider} holds no table: {PROVIDERS[provider].display}'s rows in the marts stay empty "
        f'until it is loaded; to leave it out: make transform DBT_ARGS="--vars '
        f"'{{{provider}_enabled: false}}'\""
        for provider in missing
    ]
    return WarehouseCheck(warnings=warnings)
