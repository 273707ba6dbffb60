"""Benchmark Email dlt source (new v1 API): campaigns, contacts, contact events, and snapshots of
the five reports endpoints. PROVIDERS.md section 4, docs/CONTRACTS.md 7.2 and 10.1.

| resource (= raw table) | grain | write |
|---|---|---|
| `campaigns` | one row per campaign record of `GET /api/email/campaign` (every status, all pages; `stats` flattened to `stats__*`) | merge on `_id` (dlt keeps the name `_id`) |
| `contacts` | one row per contact of `POST /api/contact/search` (`_id`, `contact_structure_id`, `created_at`, `updated_at` as UTC timestamptz, `key`) | merge on `_id` |
| `contact_events` | one row per record of `GET /api/contact/events` (`timestamp` as UTC timestamptz, fields in snake_case) | merge on `contact_id, type, timestamp, email_campaign_id, email_link_id` ('' when absent) |
| `report_dashboard`, `report_overall`, `report_histogram` | one snapshot per run × `past_days` (× `event_type`), `timezone` | append |
| `report_campaign`, `report_engagement` | one snapshot per run × sent campaign (× `period`) | append |

Contact events are incremental: `pastDays` (1–90, whole days) covers the time since the latest
loaded `timestamp` minus `lookback_hours` (late-indexed events), measured on the provider's clock
(its `Date` header); anything older than 90 days is a known gap (pipelines/common/gaps.py),
accepted only with `allow_gaps`. Contacts are incremental too: pages newest first, stopping after
the first page whose oldest `createdAt` is before the latest loaded `created_at` minus
`lookback_hours` (the first run reads every page). Reports have no cursor: each run appends a
snapshot stamped `_taken_at` (the provider's `Date`) with the parameters as columns. Every row
carries `_account_id`.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt
import pyarrow as pa

from pipelines.benchmark.client import BenchmarkClient
from pipelines.benchmark.settings import (
    ALL_EVENT_TYPES,
    CAMPAIGN_EVENT_TYPES,
    DEFAULT_PAST_DAYS,
    DEFAULT_TIMEZONE,
    ENGAGEMENT_PERIODS,
    EVENT_FIELDS,
    EVENT_KEY,
    FLOAT_FIELDS,
    FLOAT_PARENTS,
    HISTOGRAM_EVENT_TYPES,
    MAX_PAGE_SIZE,
    MAX_PAST_DAYS,
    PROVIDER,
    REPORTED_STATUSES,
    SOURCE_NAME,
    TIME_FIELDS,
    TRIGGERED_BY,
)
from pipelines.common import gaps
from pipelines.common.errors import ProviderError, shape_of
from pipelines.common.windows import parse_setting, parse_utc, require_past, rfc3339

logger = logging.getLogger(__name__)

CURSOR = "last_timestamp"  # contact_events resource state: latest loaded event time (UTC)
CONTACTS_CURSOR = "last_created_at"  # contacts resource state: latest loaded createdAt (UTC)
EVENTS_PATH = "/api/contact/events"
SEARCH_PATH = "/api/contact/search"
_TS = pa.timestamp("us", tz="UTC")


@dataclass
class Account:
    """The client plus what one run shares between resources (the campaign list)."""

    client: BenchmarkClient
    account_id: str
    page_size: int
    _campaigns: list[dict[str, Any]] | None = field(default=None, repr=False)

    def campaigns(self) -> list[dict[str, Any]]:
        """Every campaign record, listed once per run (oldest first: new ones append)."""
        if self._campaigns is None:
            records: list[dict[str, Any]] = []
            for page in self.client.pages(
                "/api/email/campaign", self.page_size, sort="createdAt:asc"
            ):
                records.extend(page)
            self._campaigns = records
        return self._campaigns

    def reported(self) -> list[str]:
        """Ids of the campaigns whose reports are snapshotted (sent, or still going out)."""
        return [str(c["_id"]) for c in self.campaigns() if c.get("status") in REPORTED_STATUSES]


# -- value normalisation ----------------------------------------------------------------------


def parse_time(value: str, what: str) -> datetime:
    try:
        return parse_utc(value)
    except ValueError:
        raise ProviderError(PROVIDER, f"{what}: {value!r} is not an ISO 8601 time") from None


def normalize(value: Any, key: str = "", parent: str = "") -> Any:
    """API JSON → row values: ISO times → UTC datetimes, percentages always float (an API `0`
    would otherwise make dlt type a rate column as bigint)."""
    if isinstance(value, dict):
        return {k: normalize(v, k, key) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(item, "", key) for item in value]
    if isinstance(value, str) and key in TIME_FIELDS:
        return parse_time(value, key)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and (key in FLOAT_FIELDS or parent in FLOAT_PARENTS):
        return float(value)
    return value


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def events_table(records: list[dict[str, Any]], account_id: str) -> pa.Table:
    """One page of contact events as an Arrow table: the known fields in a fixed order (absent
    ones null; the two nullable key columns ''), `triggeredBy` flattened, unknown fields kept as
    text columns, `_account_id`."""
    rows: list[dict[str, Any]] = []
    extras: set[str] = set()
    for record in records:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key == "triggeredBy" and isinstance(value, dict):
                for sub, name in TRIGGERED_BY.items():
                    row[name] = value.get(sub)
                continue
            column = EVENT_FIELDS.get(key)
            if column is None:  # a field the OpenAPI does not list: kept as text
                column = snake(key)
                extras.add(column)
                if value is not None and not isinstance(value, str):
                    value = json.dumps(value)
            row[column] = value
        for name in ("contact_id", "type", "timestamp"):
            if not row.get(name):
                raise ProviderError(
                    PROVIDER, f"GET {EVENTS_PATH}: a record has no {name}: {shape_of(record)}"
                )
        row["timestamp"] = parse_time(str(row["timestamp"]), "contact event timestamp")
        row["email_campaign_id"] = row.get("email_campaign_id") or ""
        row["email_link_id"] = row.get("email_link_id") or ""
        row["_account_id"] = account_id
        rows.append(row)
    text = [
        *EVENT_FIELDS.values(),
        *TRIGGERED_BY.values(),
        *sorted(extras - set(EVENT_FIELDS.values())),
        "_account_id",
    ]
    schema = pa.schema(
        [
            pa.field(
                name, _TS if name == "timestamp" else pa.string(), nullable=name not in EVENT_KEY
            )
            for name in text
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


# -- resources ----------------------------------------------------------------------------------


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
def campaigns(account: Account) -> Iterator[dict[str, Any]]:
    """`GET /api/email/campaign`: every record of every status (drafts have no `stats`)."""
    for record in account.campaigns():
        yield {**normalize(record), "_account_id": account.account_id}


@dataclass(frozen=True)
class EventWindow:
    """How far back contact events are read (the source's settings)."""

    types: tuple[str, ...]
    lookback: timedelta
    initial_past_days: int
    since: datetime | None
    allow_gaps: bool = False


def past_days_for(now: datetime, since: datetime | None, initial: int) -> int:
    """Whole days from ``since`` to ``now`` (at least 1), capped at the API's 90 (what lies
    beyond is a gap: `contact_events`)."""
    if since is None:
        return initial
    return min(MAX_PAST_DAYS, max(1, math.ceil((now - since).total_seconds() / 86_400)))


@dlt.resource(name="contact_events", write_disposition="merge", primary_key=list(EVENT_KEY))
def contact_events(account: Account, window: EventWindow) -> Iterator[pa.Table]:
    """`GET /api/contact/events`, newest first, page by page, from the latest loaded event
    minus the lookback (first run: `initial_past_days`). Events older than the API's 90-day
    reach are a gap (pipelines/common/gaps.py): the rest is loaded, and the cursor moves only
    when the gap is accepted (`allow_gaps`), so that the next run meets it again otherwise."""
    client = account.client
    state = dlt.current.resource_state()
    types = ",".join(window.types)
    _, now = client.get(
        EVENTS_PATH, pastDays=1, page=1, size=1, types=types
    )  # the provider's clock
    since = window.since
    if since is not None:
        require_past(since, now, PROVIDER, "--since")
    elif state.get(CURSOR):
        since = parse_utc(state[CURSOR]) - window.lookback
    reach = now - timedelta(days=MAX_PAST_DAYS)
    moves = since is None or since >= reach or _gap(since, reach, window.allow_gaps)
    past_days = past_days_for(now, since, window.initial_past_days)
    latest = parse_utc(state[CURSOR]) if state.get(CURSOR) else None
    rows = pages = 0
    for records in client.pages(EVENTS_PATH, account.page_size, pastDays=past_days, types=types):
        pages += 1
        table = events_table(records, account.account_id)
        newest = max(table.column("timestamp").to_pylist())
        latest = newest if latest is None or newest > latest else latest
        rows += table.num_rows
        yield table
    if latest is not None and moves:
        state[CURSOR] = latest.astimezone(UTC).isoformat()
    logger.info(
        "%s: %d contact events in %d page(s), pastDays=%d", PROVIDER, rows, pages, past_days
    )


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


def contact_row(record: Any, account_id: str) -> dict[str, Any]:
    """A `contacts` item as a raw row (the contract's columns; `fields` and `tags` left out)."""
    if not isinstance(record, dict) or not record.get("_id") or not record.get("createdAt"):
        raise ProviderError(PROVIDER, f"POST {SEARCH_PATH}: a contact without _id or createdAt")
    updated = record.get("updatedAt")
    return {
        "_id": str(record["_id"]),
        "contact_structure_id": record.get("contactStructureId"),
        "created_at": parse_time(str(record["createdAt"]), "contact createdAt"),
        "updated_at": parse_time(str(updated), "contact updatedAt") if updated else None,
        "key": record.get("key"),
        "_account_id": account_id,
    }


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
def contacts(account: Account, lookback: timedelta) -> Iterator[list[dict[str, Any]]]:
    """`POST /api/contact/search`, newest first (`createdAt:desc`), page by page; after the first
    run it stops after the first page reaching before the latest loaded `created_at` minus the
    lookback (contacts indexed late), which the merge on `_id` makes harmless to re-read."""
    state = dlt.current.resource_state()
    latest = parse_utc(state[CONTACTS_CURSOR]) if state.get(CONTACTS_CURSOR) else None
    stop_before = None if latest is None else latest - lookback
    pages = rows = 0
    listing = account.client.pages(
        SEARCH_PATH,
        account.page_size,
        method="POST",
        records_key="contacts",
        total_key="totalRecords",
        sort="createdAt:desc",
    )
    for records in listing:
        pages += 1
        batch = [contact_row(record, account.account_id) for record in records]
        rows += len(batch)
        newest = max(row["created_at"] for row in batch)
        latest = newest if latest is None or newest > latest else latest
        yield batch
        if stop_before is not None and any(r["created_at"] < stop_before for r in batch):
            break  # the incremental stop: older contacts were loaded by earlier runs
    if latest is not None:
        state[CONTACTS_CURSOR] = latest.astimezone(UTC).isoformat()
    logger.info("%s: %d contacts in %d page(s)", PROVIDER, rows, pages)


def _snapshot(body: Any, taken_at: datetime, account: Account, **params: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProviderError(PROVIDER, f"a report answered {shape_of(body)}, expected an object")
    return {**params, **normalize(body), "_account_id": account.account_id, "_taken_at": taken_at}


@dlt.resource(name="report_dashboard", write_disposition="append")
def report_dashboard(account: Account, past_days: Sequence[int], timezone: str) -> Iterator[Any]:
    """`GET /api/reports/dashboard` per `past_days` value."""
    for days in past_days:
        body, now = account.client.get("/api/reports/dashboard", pastDays=days, timezone=timezone)
        yield _snapshot(body, now, account, past_days=days, timezone=timezone)


@dlt.resource(name="report_overall", write_disposition="append")
def report_overall(account: Account, past_days: Sequence[int], timezone: str) -> Iterator[Any]:
    """`GET /api/reports/email/overall` per `past_days` value."""
    for days in past_days:
        body, now = account.client.get(
            "/api/reports/email/overall", pastDays=days, timezone=timezone
        )
        yield _snapshot(body, now, account, past_days=days, timezone=timezone)


@dlt.resource(name="report_histogram", write_disposition="append")
def report_histogram(
    account: Account, past_days: Sequence[int], timezone: str, event_types: Sequence[str]
) -> Iterator[Any]:
    """`GET /api/reports/email/overall/histogram` per `past_days` value × event type."""
    for days in past_days:
        for event_type in event_types:
            body, now = account.client.get(
                "/api/reports/email/overall/histogram",
                pastDays=days,
                eventType=event_type,
                timezone=timezone,
            )
            yield _snapshot(
                body, now, account, past_days=days, event_type=event_type, timezone=timezone
            )


@dlt.resource(name="report_campaign", write_disposition="append")
def report_campaign(account: Account) -> Iterator[Any]:
    """`GET /api/reports/email/{id}` per sent campaign (`linkActivity` → `__link_activity`)."""
    for campaign_id in account.reported():
        body, now = account.client.get(f"/api/reports/email/{campaign_id}")
        yield _snapshot(body, now, account, campaign_id=campaign_id)


@dlt.resource(name="report_engagement", write_disposition="append")
def report_engagement(account: Account, periods: Sequence[str], timezone: str) -> Iterator[Any]:
    """`GET /api/reports/email/{id}/engagement` per sent campaign × period."""
    for campaign_id in account.reported():
        for period in periods:
            body, now = account.client.get(
                f"/api/reports/email/{campaign_id}/engagement", period=period, timezone=timezone
            )
            yield _snapshot(
                body, now, account, campaign_id=campaign_id, period=period, timezone=timezone
            )


# -- the source ---------------------------------------------------------------------------------


def _subset(values: Sequence[str], allowed: Sequence[str], name: str) -> tuple[str, ...]:
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise ProviderError(
            PROVIDER, f"setting {name}={list(values)!r}: use some of {list(allowed)}"
        )
    return tuple(values)


def _days(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAST_DAYS:
        raise ProviderError(PROVIDER, f"setting {name}={value!r}: a whole number of days, 1-90")
    return value


@dlt.source(name=SOURCE_NAME, max_table_nesting=5)
def benchmark(
    api_key: str = dlt.secrets.value,
    base_url: str = dlt.config.value,
    account_id: str = "default",
    past_days: Sequence[int] = DEFAULT_PAST_DAYS,
    timezone: str = DEFAULT_TIMEZONE,
    event_types: Sequence[str] = CAMPAIGN_EVENT_TYPES,
    lookback_hours: float = 24.0,
    initial_past_days: int = MAX_PAST_DAYS,
    page_size: int = MAX_PAGE_SIZE,
    histogram_event_types: Sequence[str] = HISTOGRAM_EVENT_TYPES,
    engagement_periods: Sequence[str] = ENGAGEMENT_PERIODS,
    reports: bool = True,
    max_retry_after_seconds: float = 300.0,
    max_windows_per_run: int | None = None,
    since: str | None = None,
    allow_gaps: bool = False,
) -> Any:
    """Benchmark Email campaigns, contacts, contact events and report snapshots.

    ``base_url`` is the account's API URL (Settings > API Keys; there is no global host).
    ``past_days`` and ``timezone`` parameterise the dashboard, overall and histogram snapshots;
    ``reports = false`` leaves the five report resources out (for a key without reports:read).
    ``since`` re-reads contact events from that date (at most 90 days back). Contact events
    beyond the API's 90-day reach are a gap; ``allow_gaps`` accepts it (else the rest is loaded,
    the cursor stays, and the load ends in `IncompleteLoad`).
    """
    del max_windows_per_run  # one request window per run: pastDays covers it
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProviderError(PROVIDER, f"setting timezone={timezone!r}: an IANA timezone") from None
    days = tuple(_days(d, "past_days") for d in past_days)
    if not days:
        raise ProviderError(PROVIDER, "setting past_days is empty")
    if page_size < 1 or lookback_hours < 0 or max_retry_after_seconds < 0:
        raise ProviderError(
            PROVIDER, "settings page_size >= 1, lookback_hours >= 0, max_retry_after_seconds >= 0"
        )
    window = EventWindow(
        types=_subset(event_types, ALL_EVENT_TYPES, "event_types"),
        lookback=timedelta(hours=lookback_hours),
        initial_past_days=_days(initial_past_days, "initial_past_days"),
        since=parse_setting(since, PROVIDER, "since") if since else None,
        allow_gaps=allow_gaps,
    )
    client = BenchmarkClient(base_url, api_key, max_retry_after_seconds=max_retry_after_seconds)
    account = Account(client, account_id, page_size)
    resources: list[Any] = [
        campaigns(account),
        contacts(account, window.lookback),
        contact_events(account, window),
    ]
    if reports:
        histogram_types = _subset(
            histogram_event_types, HISTOGRAM_EVENT_TYPES, "histogram_event_types"
        )
        periods = _subset(engagement_periods, ENGAGEMENT_PERIODS, "engagement_periods")
        resources += [
            report_dashboard(account, days, timezone),
            report_overall(account, days, timezone),
            report_histogram(account, days, timezone, histogram_types),
            report_campaign(account),
            report_engagement(account, periods, timezone),
        ]
    return resources
