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
    """Append ``row`` to `load_history` in its own load, and keep the local state bound to the
    warehouse's (pipelines/common/state.py) so that the next run does not take it for foreign."""
    started = time.monotonic()
    pipeline.run(
        row, table_name=HISTORY_TABLE, write_disposition="append", loader_file_format=file_format()
    )
    state.remember_committed(pipeline)
    logger.debug("load_history row written in %.2f s", time.monotonic() - started)


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
