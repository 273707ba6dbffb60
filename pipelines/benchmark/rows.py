"""Benchmark Email records → raw rows: contact events as Arrow tables, contacts, campaign records
and report snapshots as dicts (docs/CONTRACTS.md 7.2 and 10.1)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.benchmark.settings import (
    EVENT_FIELDS,
    EVENT_KEY,
    EVENTS_PATH,
    FLOAT_FIELDS,
    FLOAT_PARENTS,
    PROVIDER,
    SEARCH_PATH,
    TIME_FIELDS,
    TRIGGERED_BY,
)
from pipelines.common.errors import ProviderError, shape_of
from pipelines.common.windows import parse_utc

_TS = pa.timestamp("us", tz="UTC")


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


_KNOWN = frozenset((*EVENT_FIELDS, "triggeredBy"))
_RECORD = pa.struct(
    [
        *((name, pa.string()) for name in EVENT_FIELDS),
        ("triggeredBy", pa.struct([(name, pa.string()) for name in TRIGGERED_BY])),
    ]
)


class _Slow(Exception):
    """The page does not fit the vectorised path: it is read record by record."""


def events_table(records: list[dict[str, Any]], account_id: str) -> pa.Table:
    """One page of contact events as an Arrow table: the known fields in a fixed order (absent
    ones null; the two nullable key columns ''), `triggeredBy` flattened, unknown fields kept as
    text columns, `_account_id`. A page of records whose fields are all known and text takes one
    Arrow conversion; any other page (a field the OpenAPI does not list, a number where text is
    expected, a record without a key field) is read record by record, with its errors."""
    try:
        return _events_fast(records, account_id)
    except (_Slow, pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return _events_slow(records, account_id)


def _events_fast(records: list[dict[str, Any]], account_id: str) -> pa.Table:
    if not records or not all(type(r) is dict for r in records):
        raise _Slow
    if not _KNOWN.issuperset(set().union(*records)):
        raise _Slow
    struct = pa.array(records, type=_RECORD)
    columns: dict[str, Any] = {EVENT_FIELDS[name]: struct.field(name) for name in EVENT_FIELDS}
    for name in ("contact_id", "type", "timestamp"):
        present = pc.fill_null(pc.not_equal(columns[name], ""), False)
        if not pc.all(present).as_py():
            raise _Slow  # the record-by-record path names it
    for name in ("email_campaign_id", "email_link_id"):
        columns[name] = pc.fill_null(columns[name], "")
    triggered = struct.field("triggeredBy")
    for sub, name in TRIGGERED_BY.items():
        columns[name] = pc.struct_field(triggered, sub)  # null where triggeredBy is
    columns["timestamp"] = event_times(pa.chunked_array([columns["timestamp"]])).combine_chunks()
    columns["_account_id"] = pa.array([account_id] * len(records), pa.string())
    schema = pa.schema(
        [
            pa.field(name, _TS if name == "timestamp" else pa.string(), name not in EVENT_KEY)
            for name in columns
        ]
    )
    return pa.Table.from_arrays(list(columns.values()), schema=schema)


def _events_slow(records: list[dict[str, Any]], account_id: str) -> pa.Table:
    rows: list[dict[str, Any]] = []
    extras: set[str] = set()
    for record in records:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key == "triggeredBy" and (value is None or isinstance(value, dict)):
                for sub, name in TRIGGERED_BY.items():  # null: as if absent
                    row[name] = (value or {}).get(sub)
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
        row["timestamp"] = str(row["timestamp"])  # parsed for the whole page below
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
    texts = schema.set(
        schema.get_field_index("timestamp"), pa.field("timestamp", pa.string(), False)
    )
    table = pa.Table.from_pylist(rows, schema=texts)
    return table.set_column(
        table.schema.get_field_index("timestamp"),
        schema.field("timestamp"),
        event_times(table.column("timestamp")),
    )


def event_times(texts: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 event times → UTC timestamps, the page at once (Arrow's cast reads `Z` and
    offsets); a page with a time the cast refuses (naive, or not a time) is parsed per value
    (`parse_utc`: naive is UTC; a bad value is an error naming it)."""
    try:
        return pc.cast(texts, _TS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = [parse_time(v, "contact event timestamp") for v in texts.to_pylist()]
        return pa.chunked_array([pa.array(values, type=_TS)])


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


def snapshot(body: Any, taken_at: datetime, account_id: str, **params: Any) -> dict[str, Any]:
    """A report answer as one snapshot row: its parameters as columns, `_taken_at`."""
    if not isinstance(body, dict):
        raise ProviderError(PROVIDER, f"a report answered {shape_of(body)}, expected an object")
    return {**params, **normalize(body), "_account_id": account_id, "_taken_at": taken_at}
