"""Maxemail dlt source: the Quick Data Export services (campaign, triggered, transactional, SMS)
× methods (sent, opened, clicked, responded, bounced, unsubscribed), and campaign metadata.

One incremental resource per service × method (`campaign_sent`, `sms_clicked`, …); all resources
of a method write one raw table (`sent`, `opened`, …) with `_message_type`. The cursor of a
resource is the latest timestamp it loaded; the next run asks for rows from a lookback before it.
Maxemail timestamps are naive account-local times: they are stored as UTC. See PROVIDERS.md 1 and
docs/CONTRACTS.md section 5.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.common.errors import ProviderError
from pipelines.common.files import iter_csv_tables, read_header
from pipelines.common.ledger import ExportJob
from pipelines.common.windows import (
    LOCAL_FORMAT,
    local_text_to_utc,
    parse_setting,
    parse_utc,
    require_past,
)
from pipelines.maxemail.client import ExpiredKey, MaxemailClient
from pipelines.maxemail.columns import NOTICES as NOTICES  # new columns, for the load summary
from pipelines.maxemail.columns import NewColumn, new_columns, note, rename_for
from pipelines.maxemail.settings import (
    DEFAULT_HOST,
    FIND_NUMBERS,
    FIND_TIMESTAMPS,
    METHODS,
    PROVIDER,
    SERVICES,
    SOURCE_NAME,
    Method,
    snake,
)

logger = logging.getLogger(__name__)

ALL_EXPORTS = tuple(f"{t}.{m}" for t in SERVICES for m in METHODS)
# Resources that run after the exports, in a load of their own (they use what the exports saw).
FOLLOW_UP_RESOURCES = ("campaigns",)
PENDING_IDS = "campaign_ids_to_fetch"
KEY_ATTEMPTS = 3  # an expired key is requested again this many times


@dataclass(frozen=True)
class ExportTarget:
    """Where and how one service × method export runs."""

    message_type: str
    service: str
    method: Method
    account_id: str
    timezone: str

    @property
    def resource_name(self) -> str:
        return f"{self.message_type}_{self.method.name}"

    @property
    def what(self) -> str:
        return f"{self.service}.{self.method.name}"


def normalize_export(
    table: pa.Table,
    target: ExportTarget,
    key: str,
    first_row: int,
    extra: Sequence[NewColumn] = (),
) -> pa.Table:
    """One batch of an export file → the raw table's shape (CONTRACTS 5.2): text trimmed,
    addresses lower-cased, naive local timestamps → UTC, the file's ``extra`` columns kept as
    text, lineage columns appended."""
    method = target.method
    columns: dict[str, pa.Array] = {}
    for name in [*method.columns, *(column.name for column in extra)]:
        column = table.column(name)
        if pa.types.is_string(column.type):
            column = pc.utf8_trim_whitespace(column)
        if name == "email_address":
            column = pc.utf8_lower(column)
        if name == snake(method.timestamp):
            column = local_to_utc(column, target, first_row)
        columns[name] = column
    rows = table.num_rows
    for name, value in (
        ("_service", target.service),
        ("_message_type", target.message_type),
        ("_account_id", target.account_id),
        ("_export_key", key),
    ):
        columns[name] = pa.repeat(pa.scalar(value), rows)
    for name in method.primary_key:
        if columns[name].null_count:
            row = first_row + columns[name].is_null().to_pylist().index(True)
            raise ProviderError(PROVIDER, f"{target.what}: row {row} of the file has no {name}")
    schema = pa.schema(
        [
            pa.field(name, array.type, nullable=name not in method.primary_key)
            for name, array in columns.items()
        ]
    )
    return pa.Table.from_pydict(columns, schema=schema)


def local_to_utc(column: pa.ChunkedArray, target: ExportTarget, first_row: int) -> pa.Array:
    """`YYYY-MM-DD HH:MM:SS` in the account's timezone → timestamp[us, UTC]. An ambiguous time
    (the repeated hour when clocks go back) is read as the earlier instant."""
    try:
        naive = pc.strptime(column, format=LOCAL_FORMAT, unit="s")
    except pa.ArrowInvalid:
        bad = next(
            (i, v)
            for i, v in enumerate(column.to_pylist())
            if v and _not_local_time(v)  # first offending row
        )
        raise ProviderError(
            PROVIDER,
            f"{target.what}: row {first_row + bad[0]} has timestamp {bad[1]!r}, "
            f"expected {LOCAL_FORMAT}",
        ) from None
    aware = pc.assume_timezone(
        naive, timezone=target.timezone, ambiguous="earliest", nonexistent="earliest"
    )
    return aware.cast(pa.timestamp("us", tz="UTC"))


def _not_local_time(value: str) -> bool:
    try:
        datetime.strptime(value, LOCAL_FORMAT)
    except ValueError:
        return True
    return False


def iter_export_tables(path: str, target: ExportTarget, key: str) -> Iterator[pa.Table]:
    """An export file (CSV or ZIP of one CSV) as raw-table-shaped Arrow tables, in batches."""
    try:
        header = read_header(path)
        if not header:
            return
        extra = new_columns(header, target.method, target.what)
        note(extra, target.method, target.what)
        names = rename_for(extra)
        rows = 0
        for table in iter_csv_tables(
            path,
            column_types=target.method.column_types,
            rename=lambda name: names.get(name) or snake(name),
        ):
            yield normalize_export(table, target, key, first_row=rows + 2, extra=extra)
            rows += table.num_rows
    except (pa.ArrowInvalid, ValueError, OSError, EOFError) as exc:
        raise ProviderError(
            PROVIDER, f"{target.what}: the export file is malformed: {exc}"
        ) from None


def _export(
    client: MaxemailClient, target: ExportTarget, since: datetime | None, setting: str | None = None
) -> Iterator[Any]:
    """Run one export from ``since`` (UTC); yield its rows as Arrow tables and a ledger row.
    Resource state `loaded_until` (UTC) is the latest timestamp loaded. ``setting`` names where
    ``since`` came from when it was configured (`--since`, `start_date`): after the provider's
    clock it is an error."""
    zone = ZoneInfo(target.timezone)
    since_local = since.astimezone(zone).strftime(LOCAL_FORMAT) if since else None
    job = ExportJob(PROVIDER, target.resource_name, target.account_id, window_start=since)
    download = None
    for attempt in range(1, KEY_ATTEMPTS + 1):
        job.attempts = attempt
        job.report_id = client.request_export(target.service, target.method.name, since_local)
        if since is not None and setting is not None:  # the export call told the clock
            require_past(since, client.server_now(), PROVIDER, setting)
        try:
            download = client.download(job.report_id, f"{target.what} file")
            break
        except ExpiredKey as exc:
            if attempt == KEY_ATTEMPTS:
                raise
            logger.warning("%s; requesting the export again", exc)
    assert download is not None
    job.bytes = download.size
    timestamp = snake(target.method.timestamp)
    latest: Any = None
    try:
        for table in iter_export_tables(download.path, target, job.report_id or ""):
            job.rows += table.num_rows
            batch_max = pc.max(table.column(timestamp)).as_py()
            if batch_max is not None and (latest is None or batch_max > latest):
                latest = batch_max
            yield table
            _remember_ids(pc.unique(table.column("email_id")).to_pylist(), target.message_type)
    finally:
        download.remove()
    job.window_end = latest
    job.status = "completed"
    logger.info(
        "%s: %s from %s: %d rows, %.1f kB, %.1f s",
        PROVIDER,
        target.what,
        since_local or "the beginning",
        job.rows,
        job.bytes / 1024,
        job.seconds,
    )
    if latest is not None:
        state = dlt.current.resource_state()
        previous = parse_utc(state["loaded_until"]) if state.get("loaded_until") else None
        if previous is None or latest > previous:
            state["loaded_until"] = latest.astimezone(UTC).isoformat()
    yield job.ledger_item()


def _remember_ids(email_ids: list[str], message_type: str) -> None:
    """Remember message ids for the `campaigns` follow-up, in source state (committed with the
    rows that mention them)."""
    pending = dlt.current.source_state().setdefault(PENDING_IDS, {})
    for email_id in email_ids:
        pending[str(email_id)] = message_type


def _export_resource(
    client: MaxemailClient,
    target: ExportTarget,
    start: datetime,
    lookback: timedelta,
    backfill_from: datetime | None,
) -> Any:
    method = target.method

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        if backfill_from is not None:
            since, setting = backfill_from, "--since"
        elif state.get("loaded_until"):
            since, setting = parse_utc(state["loaded_until"]) - lookback, None
        else:
            since, setting = start, f"sources.{SOURCE_NAME}.start_date"
        yield from _export(client, target, since, setting)

    return dlt.resource(
        rows,
        name=target.resource_name,
        table_name=method.name,
        write_disposition="merge",
        primary_key=method.primary_key,
    )


@dlt.resource(
    name="campaigns",
    write_disposition="merge",
    primary_key="email_id",
    columns={
        **{name: {"data_type": "bigint", "nullable": True} for name in FIND_NUMBERS},
        **{name: {"data_type": "timestamp", "nullable": True} for name in FIND_TIMESTAMPS},
    },
)
def campaigns(client: MaxemailClient, account_id: str, timezone: str) -> Iterator[dict[str, Any]]:
    """`email_campaign.find` once for each message id the exports saw since the last run (their
    totals may have moved), each id once per run."""
    pending: dict[str, str] = dlt.current.source_state().get(PENDING_IDS, {})
    fetched_at = datetime.now(UTC)
    for email_id, message_type in sorted(pending.items(), key=lambda item: int(item[0])):
        found = client.find_email(email_id)
        yield coerce_find(found, message_type, account_id, fetched_at, timezone)
    pending.clear()


def coerce_find(
    found: dict[str, Any],
    message_type: str,
    account_id: str,
    fetched_at: datetime,
    timezone: str = "Europe/London",
) -> dict[str, Any]:
    """`find`'s mixed types → numbers as int (None for ""), `*_ts` as UTC datetimes, text
    trimmed; plus lineage."""
    zone = ZoneInfo(timezone)
    row: dict[str, Any] = {}
    for name, value in found.items():
        if name in FIND_NUMBERS:
            row[name] = _to_int(value, name)
        elif name in FIND_TIMESTAMPS:
            row[name] = _local_to_utc(value, zone, name)
        elif isinstance(value, str):
            row[name] = value.strip()
        else:
            row[name] = value
    row.update(_message_type=message_type, _account_id=account_id, _fetched_at=fetched_at)
    return row


def _local_to_utc(value: Any, zone: ZoneInfo, name: str) -> datetime | None:
    return local_text_to_utc(value, zone, PROVIDER, f"email_campaign.find: {name}")


def _to_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            return int(float(str(value)))
        except ValueError:
            raise ProviderError(
                PROVIDER, f"email_campaign.find: {name}={value!r} is not a number"
            ) from None


@dlt.source(name=SOURCE_NAME, max_table_nesting=1)
def maxemail(
    username: str = dlt.config.value,
    password: str = dlt.secrets.value,
    base_url: str = DEFAULT_HOST,
    account_id: str = "default",
    start_date: str = dlt.config.value,
    timezone: str = "Europe/London",
    lookback_hours: float = 24.0,
    exports: Sequence[str] = ALL_EXPORTS,
    services: dict[str, str] | None = None,
    max_windows_per_run: int | None = None,
    since: str | None = None,
    allow_gaps: bool = False,
) -> Any:
    """Maxemail Quick Data Exports and campaign metadata.

    ``exports`` selects which service × method resources run (`"campaign.sent"`, …; default all
    24). ``services`` overrides the service name per message type (the SMS service name is an
    ASSUMPTION). ``timezone`` is the account's timezone, in which Maxemail writes timestamps.
    ``allow_gaps`` (the CLI's --allow-gaps) changes nothing: no retention is known, an export
    reaches back to any `filter.timestamp`, so a Maxemail load has no gaps to accept.
    """
    del max_windows_per_run  # every run exports up to now in one call per resource
    del allow_gaps
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProviderError(PROVIDER, f"unknown timezone {timezone!r} (an IANA name)") from None
    names = {**SERVICES, **(services or {})}
    unknown = [e for e in exports if e not in ALL_EXPORTS]
    if unknown:
        raise ProviderError(
            PROVIDER, f"unknown exports {unknown}; use '<message type>.<method>' from {ALL_EXPORTS}"
        )
    client = MaxemailClient(base_url, username, password)
    start = parse_setting(start_date, PROVIDER, "start_date")
    backfill_from = parse_setting(since, PROVIDER, "since") if since else None
    if lookback_hours < 0:
        raise ProviderError(PROVIDER, f"setting lookback_hours must be >= 0, got {lookback_hours}")
    lookback = timedelta(hours=lookback_hours)
    resources = []
    for export in exports:
        message_type, method = export.split(".")
        target = ExportTarget(
            message_type, names[message_type], METHODS[method], account_id, timezone
        )
        resources.append(_export_resource(client, target, start, lookback, backfill_from))
    resources.append(campaigns(client, account_id, timezone))
    return resources
