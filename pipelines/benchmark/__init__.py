"""Benchmark Email dlt source (new v1 API): campaigns, contacts, contact events, and snapshots of
the five reports endpoints. PROVIDERS.md section 4, docs/CONTRACTS.md 7.2 and 10.1.

| resource (= raw table) | grain | write |
|---|---|---|
| `campaigns` | one row per campaign record of `GET /api/email/campaign` (every status, all pages; `stats` flattened to `stats__*`) | merge on `_id` (dlt keeps the name `_id`) |
| `contacts` | one row per contact of `POST /api/contact/search` (`_id`, `contact_structure_id`, `created_at`, `updated_at` as UTC timestamptz, `key`) | merge on `_id` |
| `contact_events` | one row per record of `GET /api/contact/events` (`timestamp` as UTC timestamptz, fields in snake_case; '' for an absent campaign or link) | append; the re-read range's older rows deleted after the load (below) |
| `report_dashboard`, `report_overall`, `report_histogram` | one snapshot per run × `past_days` (× `event_type`), `timezone` | append |
| `report_campaign`, `report_engagement` | one snapshot per run × sent campaign (× `period`) | append |

Contact events are incremental: `pastDays` (1–90, whole days) covers the time since the latest
loaded `timestamp` minus `lookback_hours` (late-indexed events), measured on the provider's clock
(its `Date` header); anything older than 90 days is a known gap (pipelines/common/gaps.py),
accepted only with `allow_gaps`. The events are appended as read; once the load is committed, the
rows of the account and types read with `timestamp` in the range `pastDays` covered that another
load delivered are deleted (pipelines/common/replace.py, DECISIONLOG "Append-only raw tables").
Contacts are incremental too: pages newest first, stopping after
the first page whose oldest `createdAt` is before the latest loaded `created_at` minus
`lookback_hours` (the first run reads every page). Reports have no cursor: each run appends a
snapshot stamped `_taken_at` (the provider's `Date`) with the parameters as columns. Every row
carries `_account_id`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.benchmark.client import BenchmarkClient
from pipelines.benchmark.config import BenchmarkConfig
from pipelines.benchmark.reports import (
    report_campaign,
    report_dashboard,
    report_engagement,
    report_histogram,
    report_overall,
)
from pipelines.benchmark.rows import contact_row, events_table, normalize
from pipelines.benchmark.settings import (
    EVENT_KEY,
    EVENTS_PATH,
    MAX_PAST_DAYS,
    PROVIDER,
    SEARCH_PATH,
    SOURCE_NAME,
)
from pipelines.common import gaps, replace
from pipelines.common.config import resolve
from pipelines.common.windows import parse_utc, require_past, rfc3339

logger = logging.getLogger(__name__)

CURSOR = "last_timestamp"  # contact_events resource state: latest loaded event time (UTC)
CONTACTS_CURSOR = "last_created_at"  # contacts resource state: latest loaded createdAt (UTC)
CONVERT_ROWS = 2_000  # contact events converted to Arrow at once (20 pages of 100)


@dlt.source(name=SOURCE_NAME, max_table_nesting=5)
def benchmark(**settings: Any) -> Any:
    """Benchmark Email campaigns, contacts, contact events and report snapshots. ``settings``:
    explicit values of `BenchmarkConfig` (pipelines/benchmark/config.py), over dlt's config."""
    config = resolve(BenchmarkConfig, settings)
    client = BenchmarkClient(config)
    resources: list[Any] = [
        campaigns(client, config),
        contacts(client, config),
        contact_events(client, config),
    ]
    if config.reports:
        resources += [
            report_dashboard(client, config),
            report_overall(client, config),
            report_histogram(client, config),
            report_campaign(client, config),
            report_engagement(client, config),
        ]
    return resources


@dlt.resource(
    name="campaigns",
    write_disposition="merge",
    primary_key="_id",
    columns={
        "cancelled_at": {"data_type": "timestamp", "nullable": True},
        "sub_status": {"data_type": "text", "nullable": True},
        "scheduled_at": {"data_type": "timestamp", "nullable": True},
    },
)
def campaigns(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[dict[str, Any]]:
    """`GET /api/email/campaign`: every record of every status (drafts have no `stats`)."""
    for record in client.campaigns():
        yield {**normalize(record), "_account_id": config.account_id}


def past_days_for(now: datetime, since: datetime | None, initial: int) -> int:
    """Whole days from ``since`` to ``now`` (at least 1), capped at the API's 90 (what lies
    beyond is a gap: `contact_events`)."""
    if since is None:
        return initial
    return min(MAX_PAST_DAYS, max(1, math.ceil((now - since).total_seconds() / 86_400)))


@dlt.resource(name="contact_events", write_disposition="append")
def contact_events(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[pa.Table]:
    """`GET /api/contact/events`, newest first, page by page, from the latest loaded event
    minus the lookback (first run: `initial_past_days`). Events older than the API's 90-day
    reach are a gap (pipelines/common/gaps.py): the rest is loaded, and the cursor moves only
    when the gap is accepted (`allow_gaps`), so that the next run meets it again otherwise."""
    state = dlt.current.resource_state()
    replace.start()
    types = ",".join(config.event_types)
    _, now = client.get(EVENTS_PATH, pastDays=1, page=1, size=1, types=types)  # the clock
    since = config.since_at
    if since is not None:
        require_past(since, now, PROVIDER, "--since")
    elif state.get(CURSOR):
        since = parse_utc(state[CURSOR]) - config.lookback
    reach = now - timedelta(days=MAX_PAST_DAYS)
    moves = since is None or since >= reach or _gap(since, reach, config.allow_gaps)
    past_days = past_days_for(now, since, config.initial_past_days)
    latest = parse_utc(state[CURSOR]) if state.get(CURSOR) else None
    rows = pages = 0
    batch: list[pa.Table] = []
    batched = 0
    records: list[Any] = []  # pages not yet converted: Arrow's costs are per call, not per row
    listing = client.pages(EVENTS_PATH, config.page_size, pastDays=past_days, types=types)
    for page in _then_end(listing):
        pages += page is not None
        records += page or []
        if len(records) < CONVERT_ROWS and page is not None:
            continue
        if records:
            table = events_table(records, config.account_id)
            records = []
            newest = pc.max(table.column("timestamp")).as_py()
            latest = newest if latest is None or newest > latest else latest
            rows += table.num_rows
            batch.append(table)
            batched += table.num_rows
        if batch and (batched >= config.batch_rows or page is None):
            yield _concat(batch)  # dlt's cost is per item: one item per batch of pages
            batch, batched = [], 0
    _remember_read(client, config, types, now, past_days)
    if latest is not None and moves:
        state[CURSOR] = latest.astimezone(UTC).isoformat()
    logger.info(
        "%s: %d contact events in %d page(s), pastDays=%d", PROVIDER, rows, pages, past_days
    )


def _remember_read(
    client: BenchmarkClient, config: BenchmarkConfig, types: str, before: datetime, past_days: int
) -> None:
    """Record the range this read covered, whose rows from other loads go once the load commits.

    The API selects `timestamp >= its now - pastDays` at each page, and its clock moves while
    the pages are read (`Date` has whole seconds): from the clock after the listing plus 1 s,
    every row was in every page's selection, so the rows of other loads there go; the earlier
    edge (from the clock before the listing) may have been cut by the later pages, so there only
    the older rows whose key this load delivered again go."""
    _, after = client.get(EVENTS_PATH, pastDays=1, page=1, size=1, types=types)
    days = timedelta(days=past_days)
    surely_read = max(after, before) + timedelta(seconds=1) - days
    load_id = dlt.current.load_package_state()["load_id"]
    match: dict[str, str | list[str]] = {
        "_account_id": config.account_id,
        "type": list(config.event_types),
    }
    edge_key = [key for key in EVENT_KEY if key != "type"]
    for start, end, same_key in ((before - days, surely_read, edge_key), (surely_read, None, [])):
        replace.remember(
            "contact_events",
            export_column="_dlt_load_id",
            export_id=load_id,
            time_column="timestamp",
            start_at=start.astimezone(UTC).isoformat(),
            end_at=end.astimezone(UTC).isoformat() if end else None,
            match=match,
            same_key=same_key,
        )


def _then_end(pages: Iterator[list[Any]]) -> Iterator[list[Any] | None]:
    """The pages, then None (the end: what is pending is converted and yielded)."""
    yield from pages
    yield None


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Pages of contact events as one table (a column only some pages carry is null elsewhere)."""
    return pa.concat_tables(tables, promote_options="default").combine_chunks()


def _gap(since: datetime, reach: datetime, accepted: bool) -> bool:
    """Report the contact events from ``since`` to the API's reach as a gap; True if accepted."""
    return gaps.report(
        gaps.Gap(
            PROVIDER,
            SOURCE_NAME,
            "contact events of",
            rfc3339(since),
            rfc3339(reach),
            f"are beyond the {MAX_PAST_DAYS} days the API reaches back (pastDays)",
            accepted=accepted,
        )
    )


@dlt.resource(
    name="contacts",
    write_disposition="merge",
    primary_key="_id",
    columns={
        "created_at": {"data_type": "timestamp", "nullable": False},
        "updated_at": {"data_type": "timestamp", "nullable": True},
        "contact_structure_id": {"data_type": "text", "nullable": True},
        "key": {"data_type": "text", "nullable": True},
    },
)
def contacts(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[list[dict[str, Any]]]:
    """`POST /api/contact/search`, newest first (`createdAt:desc`), page by page; after the first
    run it stops after the first page reaching before the latest loaded `created_at` minus the
    lookback (contacts indexed late), which the merge on `_id` makes harmless to re-read."""
    state = dlt.current.resource_state()
    latest = parse_utc(state[CONTACTS_CURSOR]) if state.get(CONTACTS_CURSOR) else None
    stop_before = None if latest is None else latest - config.lookback
    pages = rows = 0
    listing = client.pages(
        SEARCH_PATH,
        config.page_size,
        method="POST",
        records_key="contacts",
        total_key="totalRecords",
        sort="createdAt:desc",
    )
    for records in listing:
        pages += 1
        batch = [contact_row(record, config.account_id) for record in records]
        rows += len(batch)
        newest = max(row["created_at"] for row in batch)
        latest = newest if latest is None or newest > latest else latest
        yield batch
        if stop_before is not None and any(r["created_at"] < stop_before for r in batch):
            break  # the incremental stop: older contacts were loaded by earlier runs
    if latest is not None:
        state[CONTACTS_CURSOR] = latest.astimezone(UTC).isoformat()
    logger.info("%s: %d contacts in %d page(s)", PROVIDER, rows, pages)
