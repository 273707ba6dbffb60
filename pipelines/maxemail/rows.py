"""Maxemail files and answers → raw rows (docs/CONTRACTS.md 5.2): a Quick Data Export file as
Arrow tables in the shape of its method's raw table, and `email_campaign.find` as a dict.

Maxemail timestamps are naive account-local times: they are stored as UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.common.errors import ProviderError
from pipelines.common.files import iter_csv_tables, read_header
from pipelines.common.windows import LOCAL_FORMAT, local_text_to_utc
from pipelines.maxemail.columns import NewColumn, new_columns, note, rename_for
from pipelines.maxemail.settings import FIND_NUMBERS, FIND_TIMESTAMPS, PROVIDER, Method, snake


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
