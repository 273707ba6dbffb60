"""The `load_history` table: one row per run of a provider's loader (`load_provider`), in the
provider's own dataset `raw_<provider>`, written through the provider's dlt pipeline.

A run that ends (`succeeded`, or `incomplete`: it committed what it could but found gaps it may
not accept, pipelines/common/gaps.py) writes its row as its last load. A `failed` run's row is
written best effort, like the failed export jobs of the ledger: a warehouse that cannot take it
(locked, unreachable, load packages pending) only logs, and the run's own error is raised as is.
The dbt mart `email_pipeline_health` reads this table and the `export_jobs` ledger.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dlt
import pyarrow as pa

from pipelines.common import state
from pipelines.common.privacy import scrub
from pipelines.common.summary import LoadSummary
from pipelines.common.warehouse import file_format, make_pipeline

logger = logging.getLogger(__name__)

HISTORY_TABLE = "load_history"
SUCCEEDED, INCOMPLETE, FAILED = "succeeded", "incomplete", "failed"
MAX_ERROR_CHARS = 500
_TS = pa.timestamp("us", tz="UTC")
# Arrow like the ledger, so every column has its type even when null in every row so far.
HISTORY_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("provider", pa.string()),
        ("started_at", _TS),
        ("finished_at", _TS),
        ("seconds", pa.float64()),
        ("status", pa.string()),
        ("loads", pa.int64()),
        ("rows", pa.int64()),
        ("export_jobs", pa.int64()),
        ("error", pa.string()),
    ]
)


@dataclass
class Run:
    """A loader run of ``provider``, from its start."""

    provider: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _started: float = field(default_factory=time.monotonic)

    def row(
        self, status: str, summary: LoadSummary, error: str | None = None, failed_jobs: int = 0
    ) -> pa.Table:
        """The run's `load_history` row: ``summary`` is what the run committed; ``failed_jobs``
        the ledger rows of a failed extract written beside it. ``error`` is the user-facing
        message, masked again (pipelines/common/privacy.py) and cut to MAX_ERROR_CHARS."""
        text = scrub(error)[:MAX_ERROR_CHARS] if error else None
        row = {
            "run_id": self.run_id,
            "provider": self.provider,
            "started_at": self.started_at,
            "finished_at": datetime.now(UTC),
            "seconds": round(time.monotonic() - self._started, 3),
            "status": status,
            "loads": summary.loads,
            "rows": summary.data_rows,
            "export_jobs": summary.export_jobs + failed_jobs,
            "error": text,
        }
        return pa.Table.from_pylist([row], schema=HISTORY_SCHEMA)


def write(pipeline: dlt.Pipeline, row: pa.Table) -> None:
    """Append ``row`` to `load_history`. The first row of a warehouse goes through a dlt load of
    its own, which creates the table (and evolves it when HISTORY_SCHEMA gains a column) and keeps
    the local state bound to the warehouse's (pipelines/common/state.py). Once dlt's schema has the
    table with every column, a row is one INSERT through dlt's SQL client: a dlt load costs about
    0.22 s of configuration and packaging for one row, the INSERT about 0.05 s, and the loader
    writes a row on every run (DECISIONLOG "Load history: one INSERT once the table exists")."""
    started = time.monotonic()
    if not _insert(pipeline, row):
        pipeline.run(
            row,
            table_name=HISTORY_TABLE,
            write_disposition="append",
            loader_file_format=file_format(),
        )
        state.remember_committed(pipeline)
    logger.debug("load_history row written in %.2f s", time.monotonic() - started)


def _insert(pipeline: dlt.Pipeline, row: pa.Table) -> bool:
    """Insert ``row`` with SQL when dlt's schema already has `load_history` with every column;
    False (nothing written) when it does not. `_dlt_load_id` is the time of the insert in dlt's
    format (epoch seconds): the row is in no dlt load, and nothing reads it as one."""
    table = pipeline.default_schema.tables.get(HISTORY_TABLE) if pipeline.schema_names else None
    columns = [*HISTORY_SCHEMA.names, "_dlt_load_id"]
    if table is None or not set(columns) <= set(table.get("columns", {})):
        return False
    values = [*row.to_pylist()[0].values(), f"{time.time():.6f}"]
    with pipeline.sql_client() as client:
        names = ", ".join(client.escape_column_name(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        client.execute_sql(
            f"insert into {client.make_qualified_table_name(HISTORY_TABLE)} ({names}) "
            f"values ({marks})",
            *values,
        )
    return True


def record(
    pipeline: dlt.Pipeline, run: Run, status: str, summary: LoadSummary, error: str | None = None
) -> None:
    """The row of a run that ended (`succeeded` or `incomplete`): part of the run, so a failure
    to write it fails the run."""
    write(pipeline, run.row(status, summary, error))


def record_failed(
    run: Run,
    summary: LoadSummary,
    error: str,
    warehouse: str | None,
    pipelines_dir: str | None,
    failed_jobs: int = 0,
) -> None:
    """The row of a failed run, best effort: a warehouse that cannot take it only logs (the run's
    error matters more). Nothing is written while load packages are pending: dlt would load them
    first, which is the next run's work (it finishes them, pipelines/common/state.py)."""
    try:
        pipeline = make_pipeline(run.provider, warehouse, pipelines_dir)
        if pipeline.has_pending_data:
            logger.warning(
                "%s: the failed run is not recorded in %s: load packages are pending (the next "
                "run finishes them)",
                summary.display or run.provider,
                HISTORY_TABLE,
            )
            return
        write(pipeline, run.row(FAILED, summary, error, failed_jobs))
    except Exception as exc:  # the original error matters more; keep it
        logger.warning("could not record the failed run in %s: %s", HISTORY_TABLE, exc)
