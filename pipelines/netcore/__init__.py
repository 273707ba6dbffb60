"""Netcore dlt source: event logs (one row per message in its latest status) and summary stats.

`events` reads the event logs day by day (account-local `startdate` = `enddate`) from
`start_date` up to the provider's today (days past the 90-day retention are a known gap,
pipelines/common/gaps.py: the position moves past them only with `allow_gaps`), paging by
`scrollid` (or `offset`/`limit`), and merges on `trid`. A message's status changes after it is sent (opens,
clicks, bounces, unsubscribes), so every run re-reads the trailing `lookback_days` days; older
messages are settled. Opens and clicks are nested lists: the loader builds them as the child
tables `events__opens` and `events__clicks` (Arrow tables per batch, with dlt's child-table
columns keyed by `trid`: pipelines/netcore/arrow.py), replaced whenever their message is read again. With
`download_logs` the same rows come from the Download Logs job (bulk: one file per window).
`stats` loads one row per local day of `GET /stats?aggregated_by=day`, merged on `date`.

Netcore times are naive account-local times (setting `timezone`); they are stored as UTC.
`trid` values exceed 2^53 and are stored as text. See PROVIDERS.md 3 and docs/CONTRACTS.md 6.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import dlt

from pipelines.common import gaps
from pipelines.common.config import resolve
from pipelines.common.windows import require_past
from pipelines.netcore.client import NetcoreClient
from pipelines.netcore.config import NetcoreConfig
from pipelines.netcore.jobs import download_window, read_window
from pipelines.netcore.rows import stats_row
from pipelines.netcore.settings import PROVIDER, SOURCE_NAME, STATS_COLUMNS

logger = logging.getLogger(__name__)


@dlt.source(name=SOURCE_NAME, max_table_nesting=1)
def netcore(**settings: Any) -> Any:
    """Netcore event logs and summary stats for one account. ``settings``: explicit values of
    `NetcoreConfig` (pipelines/netcore/config.py), over dlt's config."""
    config = resolve(NetcoreConfig, settings)
    client = NetcoreClient(config)
    return events(client, config), stats(client, config)


def migrate_schema(pipeline: dlt.Pipeline) -> None:
    """Unlink `events__opens` and `events__clicks` from `events` in a schema stored before issue
    14: dlt's relational normaliser made them nested tables of `events`; they are now built as
    Arrow tables and merged on their own (pipelines/netcore/arrow.py), and dlt refuses a table
    whose parent changes. Their rows stay; the schema is saved locally and stored in the
    warehouse with the next load."""
    if not pipeline.default_schema_name:
        return
    schema = pipeline.default_schema
    nested = [
        name
        for name in ("events__opens", "events__clicks")
        if schema.tables.get(name, {}).get("parent")
    ]
    if not nested:
        return
    for name in nested:
        table = schema.tables[name]
        table.pop("parent")
        for column in table["columns"].values():
            for hint in ("root_key", "parent_key", "row_key", "unique"):
                column.pop(hint, None)  # type: ignore[misc]
    schema._bump_version()
    pipeline.schemas.save_schema(schema)
    logger.info("%s: %s are merged on their own from now on", PROVIDER, " and ".join(nested))


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
def events(client: NetcoreClient, config: NetcoreConfig) -> Iterator[Any]:
    """Every message requested from the start date (within the retention) to the provider's today.
    Days before the retention are a gap (`_gap`); unless it is accepted, the position stays.

    State `resume_date` is the first local date to read next time: it moves only after a window
    was yielded (committed by dlt with that load) and never past `today - lookback_days`, so
    the messages whose status may still change are read again by the next run.
    """
    state = dlt.current.resource_state()
    now = client.server_now()
    today = config.local_date(now)
    resume = _start(config, now, state.get("resume_date"))
    oldest = today - timedelta(days=config.retention_days)
    # A gap not accepted keeps the position where it was (the next run meets the gap again) and
    # reads everything the provider still serves in this run; else a backfill (`since`) restarts
    # the position, which may move back, and then proceeds window by window.
    moves = resume >= oldest or _gap(config, "events requested on", resume, oldest)
    resume = max(resume, oldest)
    if config.since_at is not None and moves:
        state["resume_date"] = resume.isoformat()
    safe = today - timedelta(days=config.lookback_days)
    windows = deque(_day_windows(resume, today, config.window_days))
    logger.info(
        "%s events: %d window(s) from %s to %s (%s)",
        PROVIDER,
        len(windows),
        resume.isoformat(),
        today.isoformat(),
        "Download Logs" if config.download_logs else f"events API, {config.paging} paging",
    )
    done = 0
    while windows:
        # Windows that can still move the cursor count against max_windows_per_run; the tail
        # inside the lookback (which cannot move it) is always read in the same run.
        limit = config.max_windows_per_run if moves else None
        if limit is not None and done >= limit and resume < safe:
            break
        first, last = windows.popleft()
        if config.download_logs:
            yield from download_window(client, config, first, last)
        else:
            yield from read_window(client, config, first, last)
        done += 1
        complete = min(last + timedelta(days=1), safe)
        if complete > resume:
            resume = complete
            if moves:
                state["resume_date"] = resume.isoformat()
    state["caught_up"] = not windows
    state["last_run_today"] = today.isoformat()


def _start(config: NetcoreConfig, now: datetime, position: str | None) -> date:
    """The first local day to read: `since` (a backfill), else the saved position, else the
    `start_date`. A configured start after the provider's clock is an error."""
    if config.since_at is not None:
        require_past(config.since_at, now, PROVIDER, "--since")
        return config.local_date(config.since_at)
    if position:
        return date.fromisoformat(position)
    require_past(config.start, now, PROVIDER, f"sources.{SOURCE_NAME}.start_date")
    return config.local_date(config.start)


def _gap(config: NetcoreConfig, what: str, first: date, oldest: date) -> bool:
    """Report the days first..oldest-1 Netcore no longer serves; True when accepted."""
    return gaps.report(
        gaps.Gap(
            PROVIDER,
            SOURCE_NAME,
            what,
            first.isoformat(),
            (oldest - timedelta(days=1)).isoformat(),
            f"(account-local days) are past Netcore's {config.retention_days}-day retention",
            accepted=config.allow_gaps,
        )
    )


@dlt.resource(name="stats", write_disposition="merge", primary_key="date", columns=STATS_COLUMNS)
def stats(client: NetcoreClient, config: NetcoreConfig) -> Iterator[list[dict[str, Any]]]:
    """`GET /stats?aggregated_by=day`: one row per local day from the start (within the
    retention; the last `lookback_days` again on every run: their counts still move)."""
    state = dlt.current.resource_state()
    taken_at = client.server_now()
    today = config.local_date(taken_at)
    last_run = state.get("last_run_today")
    position = None
    if last_run:
        position = (date.fromisoformat(last_run) - timedelta(days=config.lookback_days)).isoformat()
    start = _start(config, taken_at, position)
    # ASSUMPTION: daily stats reach back as far as the event logs (Netcore documents monthly
    # stats for the life of the domain, event data for 90 days).
    oldest = today - timedelta(days=config.retention_days)
    moves = start >= oldest or _gap(config, "daily stats of", start, oldest)
    start = max(start, oldest)
    what = f"GET {client.path('stats')}"
    params = {"startdate": start.isoformat(), "enddate": today.isoformat(), "aggregated_by": "day"}
    for entries in client.stats_pages(params, max_entries=(today - start).days + 1):
        yield [stats_row(entry, config.account_id, taken_at, what) for entry in entries]
    if moves:
        state["last_run_today"] = today.isoformat()
