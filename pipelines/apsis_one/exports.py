"""One APSIS One export job, with its ledger rows (PROVIDERS.md 2.2): request an export of a
window, poll it until it ends, download the file and parse it; a window whose export ends in status
`error` (a file too large) is split in halves and each half exported again, down to
`min_window_minutes`. dlt has nothing for asynchronous export jobs: this is the project's own
(the polling is pipelines/common/exports.py, the download pipelines/common/files.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pipelines.apsis_one.client import ApsisOneClient
from pipelines.apsis_one.config import ApsisOneConfig
from pipelines.apsis_one.rows import export_tables
from pipelines.apsis_one.settings import PROVIDER
from pipelines.common import replace
from pipelines.common.errors import ProviderError
from pipelines.common.exports import poll_until_done
from pipelines.common.ledger import ExportJob
from pipelines.common.windows import rfc3339, split_window

logger = logging.getLogger(__name__)


def export_window(
    client: ApsisOneClient, config: ApsisOneConfig, start: datetime, end: datetime
) -> Iterator[Any]:
    """Run one export job; on status `error` split the window in halves and retry each."""
    job = ExportJob(PROVIDER, "email_events", config.account_id, window_start=start, window_end=end)
    what = f"export of {rfc3339(start)}..{rfc3339(end)}"
    job.report_id = client.request_export(
        start, end, attributes=config.attributes, tags=config.tags
    )
    what = f"export {job.report_id} ({rfc3339(start)}..{rfc3339(end)})"
    try:
        status, job.attempts = poll_until_done(
            lambda: client.export_status(job.report_id or ""),
            lambda s: s.get("status") in ("completed", "error"),
            provider=PROVIDER,
            what=what,
            initial_seconds=config.poll_initial_seconds,
            max_seconds=config.poll_max_seconds,
            deadline_seconds=config.export_deadline_seconds,
        )
    except ProviderError as exc:
        job.status, job.error = "error", str(exc)
        job.ledger_item()  # kept for the failure ledger (the package is discarded)
        raise
    if status["status"] == "error":
        job.error = str(
            status.get("error") or status.get("detail") or "export ended in status error"
        )
        if end - start <= timedelta(minutes=config.min_window_minutes):
            job.status = "error"
            yield job.ledger_item()
            raise ProviderError(
                PROVIDER,
                f"{what} ended in status error even for a window of {end - start} "
                f"({job.error}); request fewer attributes/tags or lower min_window_minutes",
            )
        job.status = "split"
        yield job.ledger_item()
        logger.warning(
            "%s: %s ended in status error; splitting the window in halves", PROVIDER, what
        )
        for half_start, half_end in split_window(start, end):
            yield from export_window(client, config, half_start, half_end)
        return

    download = client.download_export(job.report_id, status)
    job.bytes = download.size
    try:
        for table in export_tables(download.path, what, config.account_id, job.report_id):
            job.rows += table.num_rows
            yield table
    finally:
        download.remove()
    job.status = "completed"
    # This export holds every row of [start, end) (its server_time selects them): it replaces
    # the rows earlier exports of the account delivered there.
    replace.remember(
        "email_events",
        export_column="_export_report_id",
        export_id=job.report_id,
        time_column="server_time",
        start_at=epoch_ms(start),
        end_at=epoch_ms(end),
        match={"_account_id": config.account_id},
    )
    logger.info(
        "%s: %s completed: %d rows, %.1f kB, %d polls, %.1f s",
        PROVIDER,
        what,
        job.rows,
        job.bytes / 1024,
        job.attempts,
        job.seconds,
    )
    yield job.ledger_item()


def epoch_ms(instant: datetime) -> int:
    """``instant`` in epoch milliseconds, as the export file's `server_time`."""
    return round(instant.timestamp() * 1000)
