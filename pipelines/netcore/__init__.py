"""Netcore dlt source: event logs (one row per message in its latest status) and summary stats.

`events` reads the event logs day by day (account-local `startdate` = `enddate`) from
`start_date` up to the provider's today (days past the 90-day retention are a known gap,
pipelines/common/gaps.py: the position moves past them only with `allow_gaps`), paging by
`scrollid` (or `offset`/`limit`), and merges on `trid`. A message's status changes after it is sent (opens,
clicks, bounces, unsubscribes), so every run re-reads the trailing `lookback_days` days; older
messages are settled. Opens and clicks are nested lists: dlt loads them as the child tables
`events__opens` and `events__clicks`, replaced with their parent on every merge. With
`download_logs` the same rows come from the Download Logs job (bulk: one file per window).
`stats` loads one row per local day of `GET /stats?aggregated_by=day`, merged on `date`.

Netcore times are naive account-local times (setting `timezone`); they are stored as UTC.
`trid` values exceed 2^53 and are stored as text. See PROVIDERS.md 3 and docs/CONTRACTS.md 6.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt

from pipelines.common import gaps
from pipelines.common.errors import ProviderError, shape_of
from pipelines.common.exports import poll_until_done
from pipelines.common.files import open_decompressed
from pipelines.common.ledger import ExportJob
from pipelines.common.windows import local_text_to_utc, parse_setting, require_past
from pipelines.netcore.client import NetcoreClient
from pipelines.netcore.settings import (
    API_VERSIONS,
    AUTH_STYLES,
    EVENT_COLUMNS,
    FIELDS,
    LOG_COLUMNS,
    MAX_PAGE_SIZE,
    PAGING_MODES,
    PROVIDER,
    REGION_HOSTS,
    RETENTION_DAYS,
    SOURCE_NAME,
    STATS_COLUMNS,
    TIME_FIELDS,
)

logger = logging.getLogger(__name__)

BATCH_ROWS = 1000  # rows per item yielded from a Download Logs file
# The column types travel with the message rows, not on the resource: the export_jobs ledger rows
# are a table variant of the resource and would inherit (and be padded with) its columns.
EVENT_HINTS = dlt.mark.make_hints(
    table_name="events", write_disposition="merge", primary_key="trid", columns=EVENT_COLUMNS
)


def _messages(rows: list[dict[str, Any]]) -> Any:
    """A batch of `events` rows, with their column types."""
    return dlt.mark.with_hints(rows, EVENT_HINTS, create_table_variant=True)


@dataclass
class NetcoreSettings:
    """How the source windows, pages and decorates (all from dlt config)."""

    account_id: str
    start_date: datetime
    timezone: str = "Asia/Kolkata"
    lookback_days: int = 3
    window_days: int = 30
    page_size: int = MAX_PAGE_SIZE
    paging: str = "scrollid"
    retention_days: int = RETENTION_DAYS
    download_logs: bool = False
    poll_initial_seconds: float = 1.0
    poll_max_seconds: float = 30.0
    export_deadline_seconds: float = 3600.0
    max_windows_per_run: int | None = None
    since: datetime | None = None
    allow_gaps: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, when: datetime) -> date:
        return when.astimezone(self.zone).date()

    def day_start_utc(self, day: date) -> datetime:
        """The UTC instant a local day starts."""
        return datetime(day.year, day.month, day.day, tzinfo=self.zone).astimezone(UTC)


# -- rows ----------------------------------------------------------------------------------------


def local_to_utc(value: Any, zone: ZoneInfo, what: str, name: str) -> datetime | None:
    """An account-local Netcore time → aware UTC (`pipelines.common.windows.local_text_to_utc`)."""
    return local_text_to_utc(value, zone, PROVIDER, f"{what}: {name}")


def trid_text(value: Any, what: str) -> str:
    """The exact digits of a `trid` (an int from exact JSON, or text from a CSV). A float would
    have lost digits above 2^53 already, so it is refused rather than stored wrong."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ProviderError(
            PROVIDER,
            f"{what}: trid {value!r} is not an integer (a float cannot hold a trid exactly)",
        )
    text = str(value).strip()
    if not text.isdigit():
        raise ProviderError(PROVIDER, f"{what}: trid {value!r} is not an integer")
    return text


def _int_or_none(value: Any, what: str, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ProviderError(PROVIDER, f"{what}: {name}={value!r} is not an integer") from None


def message_row(item: dict[str, Any], zone: ZoneInfo, account_id: str, what: str) -> dict[str, Any]:
    """One events-API (or Download Logs) record → the raw `events` row (CONTRACTS 6.2): snake
    names, `trid` as text, local times → UTC, `opens`/`clicks` as nested lists (child tables)."""
    if not isinstance(item, dict):
        raise ProviderError(PROVIDER, f"{what}: a record is {type(item).__name__}, not an object")
    row: dict[str, Any] = {}
    for name, value in item.items():
        column = FIELDS.get(name)
        if name == "trid":
            row["trid"] = trid_text(value, what)
        elif name in TIME_FIELDS:
            row[FIELDS[name]] = local_to_utc(value, zone, what, name)
        elif name == "size":
            row["size"] = _int_or_none(value, what, name)
        elif name == "opens":
            row["opens"] = [
                {"ip": _text(o.get("ip")), "time": local_to_utc(o.get("time"), zone, what, name)}
                for o in _entries(value, what, name)
            ]
        elif name == "clicks":
            row["clicks"] = [
                {
                    "ip": _text(c.get("ip")),
                    "link": _text(c.get("link")),
                    "time": local_to_utc(c.get("time"), zone, what, name),
                }
                for c in _entries(value, what, name)
            ]
        elif column is not None:
            row[column] = _text(value)
        else:
            row[name] = value  # a field Netcore added: kept, dlt names the column
    if "trid" not in row:
        raise ProviderError(PROVIDER, f"{what}: a record has no trid: {sorted(item)}")
    row["_account_id"] = account_id
    return row


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _entries(value: Any, what: str, name: str) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    if isinstance(value, str):  # Download Logs: JSON text in a CSV cell
        try:
            value = json.loads(value)
        except ValueError:
            raise ProviderError(PROVIDER, f"{what}: {name} is not JSON: {value[:80]!r}") from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ProviderError(PROVIDER, f"{what}: {name} is not a list of objects")
    return value


# -- events --------------------------------------------------------------------------------------


def _day_windows(first: date, last: date, days: int) -> Iterator[tuple[date, date]]:
    """Consecutive inclusive date ranges of at most ``days`` days covering first..last."""
    cursor = first
    while cursor <= last:
        end = min(cursor + timedelta(days=days - 1), last)
        yield cursor, end
        cursor = end + timedelta(days=1)


@dlt.resource(
    name="events",
    write_disposition="merge",
    primary_key="trid",
)
def events(client: NetcoreClient, settings: NetcoreSettings) -> Iterator[Any]:
    """Every message requested from the start date (within the retention) to the provider's today.
    Days before the retention are a gap (`_gap`); unless it is accepted, the position stays.

    State `resume_date` is the first local date to read next time: it moves only after a window
    was yielded (committed by dlt with that load) and never past `today - lookback_days`, so
    the messages whose status may still change are read again by the next run.
    """
    state = dlt.current.resource_state()
    now = client.server_now()
    today = settings.local_date(now)
    resume = _start(settings, now, state.get("resume_date"))
    oldest = today - timedelta(days=settings.retention_days)
    # A gap not accepted keeps the position where it was (the next run meets the gap again) and
    # reads everything the provider still serves in this run; else a backfill (`since`) restarts
    # the position, which may move back, and then proceeds window by window.
    moves = resume >= oldest or _gap(settings, "events requested on", resume, oldest)
    resume = max(resume, oldest)
    if settings.since is not None and moves:
        state["resume_date"] = resume.isoformat()
    safe = today - timedelta(days=settings.lookback_days)
    windows = deque(_day_windows(resume, today, settings.window_days))
    logger.info(
        "%s events: %d window(s) from %s to %s (%s)",
        PROVIDER,
        len(windows),
        resume.isoformat(),
        today.isoformat(),
        "Download Logs" if settings.download_logs else f"events API, {settings.paging} paging",
    )
    done = 0
    while windows:
        # Windows that can still move the cursor count against max_windows_per_run; the tail
        # inside the lookback (which cannot move it) is always read in the same run.
        limit = settings.max_windows_per_run if moves else None
        if limit is not None and done >= limit and resume < safe:
            break
        first, last = windows.popleft()
        if settings.download_logs:
            yield from _download_window(client, settings, first, last)
        else:
            yield from _read_window(client, settings, first, last)
        done += 1
        complete = min(last + timedelta(days=1), safe)
        if complete > resume:
            resume = complete
            if moves:
                state["resume_date"] = resume.isoformat()
    state["caught_up"] = not windows
    state["last_run_today"] = today.isoformat()


def _start(settings: NetcoreSettings, now: datetime, position: str | None) -> date:
    """The first local day to read: `since` (a backfill), else the saved position, else the
    `start_date`. A configured start after the provider's clock is an error."""
    if settings.since is not None:
        require_past(settings.since, now, PROVIDER, "--since")
        return settings.local_date(settings.since)
    if position:
        return date.fromisoformat(position)
    require_past(settings.start_date, now, PROVIDER, f"sources.{SOURCE_NAME}.start_date")
    return settings.local_date(settings.start_date)


def _gap(settings: NetcoreSettings, what: str, first: date, oldest: date) -> bool:
    """Report the days first..oldest-1 Netcore no longer serves; True when accepted."""
    return gaps.report(
        gaps.Gap(
            PROVIDER,
            SOURCE_NAME,
            what,
            first.isoformat(),
            (oldest - timedelta(days=1)).isoformat(),
            f"(account-local days) are past Netcore's {settings.retention_days}-day retention",
            accepted=settings.allow_gaps,
        )
    )


def _job(settings: NetcoreSettings, first: date, last: date) -> ExportJob:
    return ExportJob(
        PROVIDER,
        "events",
        settings.account_id,
        window_start=settings.day_start_utc(first),
        window_end=settings.day_start_utc(last + timedelta(days=1)),
    )


def _read_window(
    client: NetcoreClient, settings: NetcoreSettings, first: date, last: date
) -> Iterator[Any]:
    """The events API: with scrollid paging one query for the window's days, with offset paging
    one per day (an offset stops at 1000); then a ledger row (`attempts` = pages read)."""
    job = _job(settings, first, last)
    job.report_id = f"{client.path('events')} {first.isoformat()}..{last.isoformat()}"
    ranges = [(first, last)]
    if settings.paging == "offset":
        ranges = [
            (first + timedelta(days=d), first + timedelta(days=d))
            for d in range((last - first).days + 1)
        ]
    for start, end in ranges:
        for page in _read_days(client, settings, start, end):
            job.attempts += 1
            job.rows += len(page)
            if page:
                yield _messages(page)
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
    client: NetcoreClient, settings: NetcoreSettings, first: date, last: date
) -> Iterator[list[dict[str, Any]]]:
    """Pages of raw rows of the messages requested on local days first..last, to the end
    (`NetcoreClient.event_pages`: a capped page loses nothing, a short listing fails)."""
    span = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
    what = f"GET {client.path('events')} for {span}"
    params: dict[str, Any] = {
        "startdate": first.isoformat(),
        "enddate": last.isoformat(),
        "sort": "asc",
    }
    zone, account = settings.zone, settings.account_id
    for data in client.event_pages(params, settings.page_size, settings.paging, f" for {span}"):
        yield [message_row(item, zone, account, what) for item in data]


def _download_window(
    client: NetcoreClient, settings: NetcoreSettings, first: date, last: date
) -> Iterator[Any]:
    """Download Logs for the window: request, poll, download, parse; then a ledger row."""
    job = _job(settings, first, last)
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
            initial_seconds=settings.poll_initial_seconds,
            max_seconds=settings.poll_max_seconds,
            deadline_seconds=settings.export_deadline_seconds,
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
        for batch in _iter_log_file(download.path, settings, what):
            job.rows += len(batch)
            yield _messages(batch)
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


def _iter_log_file(
    path: str, settings: NetcoreSettings, what: str
) -> Iterator[list[dict[str, Any]]]:
    """A Download Logs CSV (or ZIP of one) as batches of raw rows, in constant memory."""
    try:
        with open_decompressed(path) as stream:
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            reader = csv.DictReader(text)
            missing = [c for c in LOG_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ProviderError(
                    PROVIDER, f"{what}: the file has no column(s) {missing}: {reader.fieldnames}"
                )
            batch: list[dict[str, Any]] = []
            for line, record in enumerate(reader, start=2):
                if None in record or any(v is None for v in record.values()):
                    raise ProviderError(PROVIDER, f"{what}: row {line} has the wrong field count")
                batch.append(
                    message_row(record, settings.zone, settings.account_id, f"{what} row {line}")
                )
                if len(batch) >= BATCH_ROWS:
                    yield batch
                    batch = []
            if batch:
                yield batch
    except (ValueError, OSError, EOFError, csv.Error) as exc:
        raise ProviderError(PROVIDER, f"{what}: the file is malformed: {exc}") from None


# -- stats ---------------------------------------------------------------------------------------


@dlt.resource(name="stats", write_disposition="merge", primary_key="date", columns=STATS_COLUMNS)
def stats(client: NetcoreClient, settings: NetcoreSettings) -> Iterator[list[dict[str, Any]]]:
    """`GET /stats?aggregated_by=day`: one row per local day from the start (within the
    retention; the last `lookback_days` again on every run: their counts still move)."""
    state = dlt.current.resource_state()
    taken_at = client.server_now()
    today = settings.local_date(taken_at)
    last_run = state.get("last_run_today")
    position = None
    if last_run:
        position = (
            date.fromisoformat(last_run) - timedelta(days=settings.lookback_days)
        ).isoformat()
    start = _start(settings, taken_at, position)
    # ASSUMPTION: daily stats reach back as far as the event logs (Netcore documents monthly
    # stats for the life of the domain, event data for 90 days).
    oldest = today - timedelta(days=settings.retention_days)
    moves = start >= oldest or _gap(settings, "daily stats of", start, oldest)
    start = max(start, oldest)
    what = f"GET {client.path('stats')}"
    params = {"startdate": start.isoformat(), "enddate": today.isoformat(), "aggregated_by": "day"}
    for entries in client.stats_pages(params, max_entries=(today - start).days + 1):
        yield [_stats_row(entry, settings.account_id, taken_at, what) for entry in entries]
    if moves:
        state["last_run_today"] = today.isoformat()


def _stats_row(entry: Any, account_id: str, taken_at: datetime, what: str) -> dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("stats"), dict):
        raise ProviderError(PROVIDER, f"{what}: an entry is not {{date, stats}}: {shape_of(entry)}")
    try:
        day = date.fromisoformat(str(entry.get("date")))
    except ValueError:
        raise ProviderError(PROVIDER, f"{what}: date {entry.get('date')!r} is not a date") from None
    row: dict[str, Any] = {"date": day}
    for name, value in entry["stats"].items():
        row[str(name)] = _int_or_none(value, what, str(name))
    row.update(_account_id=account_id, _taken_at=taken_at)
    return row


# -- source --------------------------------------------------------------------------------------


@dlt.source(name=SOURCE_NAME, max_table_nesting=1)
def netcore(
    api_key: str = dlt.secrets.value,
    base_url: str | None = None,
    region: str = "global",
    api_version: str = "v5.1",
    auth_style: str | None = None,
    account_id: str = "default",
    start_date: str = dlt.config.value,
    timezone: str = "Asia/Kolkata",
    lookback_days: int = 3,
    window_days: int = 30,
    page_size: int = MAX_PAGE_SIZE,
    paging: str = "scrollid",
    retention_days: int = RETENTION_DAYS,
    download_logs: bool = False,
    poll_initial_seconds: float = 1.0,
    poll_max_seconds: float = 30.0,
    export_deadline_seconds: float = 3600.0,
    max_windows_per_run: int | None = None,
    since: str | None = None,
    allow_gaps: bool = False,
) -> Any:
    """Netcore event logs and summary stats for one account (API key).

    ``base_url`` wins over ``region`` (`global` → emailapi.netcorecloud.net, `eu` →
    apieu.netcorecloud.net). ``api_version`` `v5.1` sends `api_key: <key>`, `v6` a Bearer token
    (``auth_style`` overrides: `api_key`, `bearer`, `x-api-key`). ``timezone`` is the account's
    (its profile setting): Netcore's dates and times are in it. ``start_date`` is where the first
    load starts; later loads continue from state, re-reading the last ``lookback_days`` days.
    Days older than the ``retention_days`` Netcore keeps are a gap: the rest is loaded, and the
    position moves past them only with ``allow_gaps`` (else the load ends in `IncompleteLoad`).
    ``window_days`` days are committed per load. ``download_logs`` reads each window through the
    Download Logs job instead of paging.
    """
    if api_version not in API_VERSIONS:
        raise ProviderError(
            PROVIDER, f"unknown api_version {api_version!r}; use one of {sorted(API_VERSIONS)}"
        )
    style = auth_style or API_VERSIONS[api_version]
    if style not in AUTH_STYLES:
        raise ProviderError(PROVIDER, f"unknown auth_style {style!r}; use one of {AUTH_STYLES}")
    if region not in REGION_HOSTS and not base_url:
        raise ProviderError(
            PROVIDER, f"unknown region {region!r}; use one of {sorted(REGION_HOSTS)}"
        )
    if paging not in PAGING_MODES:
        raise ProviderError(PROVIDER, f"unknown paging {paging!r}; use one of {PAGING_MODES}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProviderError(PROVIDER, f"unknown timezone {timezone!r} (an IANA name)") from None
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ProviderError(PROVIDER, f"page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
    for name, value, minimum in (
        ("lookback_days", lookback_days, 0),
        ("window_days", window_days, 1),
        ("retention_days", retention_days, 1),
    ):
        if value < minimum:
            raise ProviderError(PROVIDER, f"setting {name} must be >= {minimum}, got {value}")
    if not api_key:
        raise ProviderError(PROVIDER, "sources.netcore.api_key is empty")
    client = NetcoreClient(
        base_url or REGION_HOSTS[region], api_key, api_version=api_version, auth_style=style
    )
    settings = NetcoreSettings(
        account_id=account_id,
        start_date=parse_setting(start_date, PROVIDER, "start_date"),
        timezone=timezone,
        lookback_days=lookback_days,
        window_days=window_days,
        page_size=page_size,
        paging=paging,
        retention_days=retention_days,
        download_logs=download_logs,
        poll_initial_seconds=poll_initial_seconds,
        poll_max_seconds=poll_max_seconds,
        export_deadline_seconds=export_deadline_seconds,
        max_windows_per_run=max_windows_per_run,
        since=parse_setting(since, PROVIDER, "since") if since else None,
        allow_gaps=allow_gaps,
    )
    return events(client, settings), stats(client, settings)
