"""One window of Netcore event logs, with its ledger row: read from the events API page by page,
or through the Download Logs job (request, poll, download, parse: PROVIDERS.md 3.5)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from pipelines.common.errors import ProviderError
from pipelines.common.exports import poll_until_done
from pipelines.common.ledger import ExportJob
from pipelines.netcore.arrow import concat, hinted, page_tables, rows_tables
from pipelines.netcore.client import NetcoreClient
from pipelines.netcore.config import NetcoreConfig
from pipelines.netcore.rows import log_file_rows
from pipelines.netcore.settings import PROVIDER

logger = logging.getLogger(__name__)


def window_job(config: NetcoreConfig, first: date, last: date) -> ExportJob:
    return ExportJob(
        PROVIDER,
        "events",
        config.account_id,
        window_start=config.day_start_utc(first),
        window_end=config.day_start_utc(last + timedelta(days=1)),
    )


def read_window(
    client: NetcoreClient, config: NetcoreConfig, first: date, last: date
) -> Iterator[Any]:
    """The events API: with scrollid paging one query for the window's days, with offset paging
    one per day (an offset stops at 1000); then a ledger row (`attempts` = pages read). Pages
    become Arrow tables (pipelines/netcore/arrow.py), yielded to dlt per `batch_rows` messages
    (dlt's cost is per item; the batch bounds the memory)."""
    job = window_job(config, first, last)
    job.report_id = f"{client.path('events')} {first.isoformat()}..{last.isoformat()}"
    ranges = [(first, last)]
    if config.paging == "offset":
        ranges = [
            (first + timedelta(days=d), first + timedelta(days=d))
            for d in range((last - first).days + 1)
        ]
    batch: list[dict[str, Any]] = []
    batched = 0
    for start, end in ranges:
        for records, what in _read_days(client, config, start, end):
            job.attempts += 1
            job.rows += len(records)
            if records:
                batch.append(page_tables(records, config.zone, config.account_id, what))
                batched += len(records)
            if batched >= config.batch_rows:
                yield from hinted(concat(batch))
                batch, batched = [], 0
    if batch:
        yield from hinted(concat(batch))
    job.status = "completed"
    logger.info(
        "%s: events %s..%s: %d messages in %d page(s), %.1f s",
        PROVIDER,
        first.isoformat(),
        last.isoformat(),
        job.rows,
        job.attempts,
        job.seconds,
    )
    yield job.ledger_item()


def _read_days(
    client: NetcoreClient, config: NetcoreConfig, first: date, last: date
) -> Iterator[tuple[list[Any], str]]:
    """Pages of records of the messages requested on local days first..last, to the end
    (`NetcoreClient.event_pages`: a capped page loses nothing, a short listing fails), each
    with the words naming it in errors (the request and the page's first record)."""
    span = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
    what = f"GET {client.path('events')} for {span}"
    params: dict[str, Any] = {
        "startdate": first.isoformat(),
        "enddate": last.isoformat(),
        "sort": "asc",
    }
    received = 0
    for data in client.event_pages(params, config.page_size, config.paging, f" for {span}"):
        yield data, f"{what}, the page from message {received + 1}"
        received += len(data)


def download_window(
    client: NetcoreClient, config: NetcoreConfig, first: date, last: date
) -> Iterator[Any]:
    """Download Logs for the window: request, poll, download, parse; then a ledger row."""
    job = window_job(config, first, last)
    what = f"Download Logs {first.isoformat()}..{last.isoformat()}"
    job.report_id = client.request_download(
        {"startdate": first.isoformat(), "enddate": last.isoformat()}
    )
    what = f"Download Logs {job.report_id} ({first.isoformat()}..{last.isoformat()})"
    try:
        status, job.attempts = poll_until_done(
            lambda: client.download_status(job.report_id or ""),
            lambda s: s.get("status") in ("completed", "failed", "error"),
            provider=PROVIDER,
            what=what,
            initial_seconds=config.poll_initial_seconds,
            max_seconds=config.poll_max_seconds,
            deadline_seconds=config.export_deadline_seconds,
        )
        if status.get("status") != "completed" or not status.get("url"):
            raise ProviderError(
                PROVIDER, f"{what} ended in status {status.get('status')!r} without a file"
            )
    except ProviderError as exc:
        job.status, job.error = "error", str(exc)
        job.ledger_item()  # kept for the failure ledger (the package is discarded)
        raise
    download = client.download_file(str(status["url"]), what)
    job.bytes = download.size
    try:
        rows = log_file_rows(download.path, config.zone, config.account_id, what, config.batch_rows)
        for batch in rows:
            job.rows += len(batch)
            yield from hinted(rows_tables(batch))
    finally:
        download.remove()
    _require_reported_rows(job, status.get("rows"), what)
    job.status = "completed"
    logger.info(
        "%s: %s completed: %d messages, %.1f kB, %d polls, %.1f s",
        PROVIDER,
        what,
        job.rows,
        job.bytes / 1024,
        job.attempts,
        job.seconds,
    )
    yield job.ledger_item()


def _require_reported_rows(job: ExportJob, reported: Any, what: str) -> None:
    """A file holding fewer rows than its status reported (`rows`, ASSUMPTION: CONTRACTS 6.1;
    absent means unknown) fails the load: its package is discarded and the position stays, so
    the next run requests the window again."""
    if isinstance(reported, bool) or not isinstance(reported, int) or job.rows >= reported:
        return
    job.status = "error"
    job.error = (
        f"{what}: the file holds {job.rows} rows where the status reported {reported}; the load "
        "fails (earlier loads are kept) and the next run requests the window again"
    )
    job.ledger_item()  # kept for the failure ledger (the package is discarded)
    raise ProviderError(PROVIDER, job.error)
