"""The `export_jobs` ledger: one row per export job a provider ran for us.

Rows are yielded from the resource that ran the job, marked for the `export_jobs` table, so that a
ledger row lands in the same load package (and the same transaction of state) as the data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa

LEDGER_TABLE = "export_jobs"
# Ledger rows of failed or split jobs in the current extract. When the extract fails, dlt discards
# its package, ledger rows included; the runner then writes these on their own (see runner.py).
FAILED_JOBS: list[pa.Table] = []
_TS = pa.timestamp("us", tz="UTC")
# Ledger rows travel as Arrow like the data they describe, so one resource never mixes Arrow and
# Python-object items for the same destination (dlt would type their tables differently).
LEDGER_SCHEMA = pa.schema(
    [
        ("provider", pa.string()),
        ("resource", pa.string()),
        ("account_id", pa.string()),
        ("report_id", pa.string()),
        ("window_start", _TS),
        ("window_end", _TS),
        ("status", pa.string()),
        ("attempts", pa.int64()),
        ("rows", pa.int64()),
        ("bytes", pa.int64()),
        ("seconds", pa.float64()),
        ("error", pa.string()),
        ("requested_at", _TS),
        ("finished_at", _TS),
    ]
)


@dataclass
class ExportJob:
    provider: str
    resource: str
    account_id: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    report_id: str | None = None
    status: str = "requested"
    attempts: int = 0
    rows: int = 0
    bytes: int = 0
    error: str | None = None
    requested_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return round(time.monotonic() - self._started, 3)

    def ledger_item(self) -> Any:
        """The ledger row, marked for the `export_jobs` table (append)."""
        row = {
            "provider": self.provider,
            "resource": self.resource,
            "account_id": self.account_id,
            "report_id": self.report_id,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "status": self.status,
            "attempts": self.attempts,
            "rows": self.rows,
            "bytes": self.bytes,
            "seconds": self.seconds,
            "error": self.error,
            "requested_at": self.requested_at,
            "finished_at": datetime.now(UTC),
        }
        table = pa.Table.from_pylist([row], schema=LEDGER_SCHEMA)
        if self.status in ("split", "error"):
            FAILED_JOBS.append(table)
        hints = dlt.mark.make_hints(
            table_name=LEDGER_TABLE, write_disposition="append", primary_key=()
        )
        return dlt.mark.with_hints(table, hints, create_table_variant=True)
