"""Netcore records → raw rows (docs/CONTRACTS.md 6.2): event-log messages (from the events API or a
Download Logs file) value by value, and daily stats, as dicts: a message's opens and clicks are
nested lists, which pipelines/netcore/arrow.py turns into the child tables `events__opens` and
`events__clicks` (the events API's pages take its vectorised path; these functions are its
fallback and the Download Logs reader).

Netcore times are naive account-local times (setting `timezone`); they are stored as UTC. `trid`
values exceed 2^53 and are stored as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.common.errors import ProviderError, shape_of
from pipelines.common.files import open_decompressed
from pipelines.common.windows import local_text_to_utc
from pipelines.netcore.settings import FIELDS, LOG_COLUMNS, PROVIDER, TIME_FIELDS


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


def stats_row(entry: Any, account_id: str, taken_at: datetime, what: str) -> dict[str, Any]:
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


def log_file_rows(
    path: str, zone: ZoneInfo, account_id: str, what: str, batch_rows: int
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
                batch.append(message_row(record, zone, account_id, f"{what} row {line}"))
                if len(batch) >= batch_rows:
                    yield batch
                    batch = []
            if batch:
                yield batch
    except (ValueError, OSError, EOFError, csv.Error) as exc:
        raise ProviderError(PROVIDER, f"{what}: the file is malformed: {exc}") from None
