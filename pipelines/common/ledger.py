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

LEDGER_TABLE = "export_jobs"


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
        hints = dlt.mark.make_hints(
            table_name=LEDGER_TABLE,
            write_disposition="append",
            primary_key=(),
            columns={
                "error": {"data_type": "text", "nullable": True},
                "report_id": {"data_type": "text", "nullable": True},
            },
        )
        return dlt.mark.with_hints(row, hints)
