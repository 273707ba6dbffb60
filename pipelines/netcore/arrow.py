"""Netcore messages → Arrow tables per batch of pages (docs/CONTRACTS.md 6.2): `events` and its
child tables `events__opens` and `events__clicks`, built here with the keys and columns dlt's
relational normaliser gave them (`_dlt_id`, `_dlt_parent_id`, `_dlt_root_id`, `_dlt_list_idx`),
so that the dbt staging (children joined by `_dlt_parent_id = _dlt_id`) is unchanged.

The keys are deterministic: a message's `_dlt_id` is its `trid` (unique: the merge key), an
entry's `_dlt_id` is `<trid>-<position>`. The child tables are merged on their own (dlt does not
take Arrow items into a parent-child chain): delete-insert with `_dlt_parent_id` as merge key,
so a message read again has its entries replaced by the new read's, as dlt's chain merge did, and
`_dlt_id` as primary key (a message twice in one load keeps one copy of each entry). Rows loaded
by the old normaliser keep their random ids; a message read again gets the new ones (its old
entries are then joined to no message: staging drops them).

A page of events-API records takes the vectorised path (one Arrow conversion of the records,
Arrow's `strptime` and `assume_timezone` for the account-local times). A record the fast path
cannot take as it is (a field Netcore added, a text where a number is expected, a time in another
form, a local time in a DST gap, a Download Logs row) sends its page through `message_row`, which
converts it value by value or fails naming the record's position, the field and the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.netcore.rows import message_row
from pipelines.netcore.settings import CHILD_COLUMNS, EVENT_COLUMNS, FIELDS, NESTED_FIELDS

UTC_TIME = pa.timestamp("us", tz="UTC")
LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"
# The padded form the fast path takes (Arrow's strptime also takes '11:30:60', a space before the
# date, one-digit fields: those go value by value, as `local_text_to_utc` reads them).
PADDED = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
)
TEXT_FIELDS = tuple(f for f in FIELDS if f not in ("trid", "size") and not f.endswith("Time"))
TIME_FIELDS = ("requestedTime", "deliveryTime", "modifiedTime")
KNOWN = frozenset((*FIELDS, *NESTED_FIELDS))
DATA_COLUMNS = tuple(name for name in EVENT_COLUMNS if not name.startswith("_"))
ENTRY_FIELDS = {"opens": ("ip", "time"), "clicks": ("ip", "link", "time")}

# The events-API record as Arrow reads it (trid apart: an int or its digits).
RECORD_TYPE = pa.struct(
    [
        *((name, pa.string()) for name in TEXT_FIELDS),
        *((name, pa.string()) for name in TIME_FIELDS),
        ("size", pa.int64()),
        *(
            (name, pa.list_(pa.struct([(f, pa.string()) for f in ENTRY_FIELDS[name]])))
            for name in NESTED_FIELDS
        ),
    ]
)
HINTS = {
    "events": dlt.mark.make_hints(
        table_name="events", write_disposition="merge", primary_key="trid", columns=EVENT_COLUMNS
    ),
    **{
        f"events__{name}": dlt.mark.make_hints(
            table_name=f"events__{name}",
            write_disposition="merge",
            primary_key="_dlt_id",
            merge_key="_dlt_parent_id",
            columns=CHILD_COLUMNS[name],
        )
        for name in NESTED_FIELDS
    },
}


class _Slow(Exception):
    """The page does not fit the vectorised path: it goes through `message_row`."""


def page_tables(
    records: list[Any], zone: ZoneInfo, account_id: str, what: str
) -> dict[str, pa.Table]:
    """One page of events-API records → `{table name: Arrow table}` (see the module doc)."""
    try:
        return _fast(records, zone, account_id)
    except (_Slow, pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
        return rows_tables(
            [
                message_row(r, zone, account_id, f"{what}, record {i} of the page")
                for i, r in enumerate(records, start=1)
            ]
        )


def _fast(records: list[Any], zone: ZoneInfo, account_id: str) -> dict[str, pa.Table]:
    if not all(type(r) is dict for r in records):
        raise _Slow
    if not KNOWN.issuperset(set().union(*records)):
        raise _Slow  # a field Netcore added: kept by the value-by-value path
    trids = _trids([r.get("trid") for r in records])
    struct = pa.array(records, type=RECORD_TYPE)
    columns: dict[str, pa.Array] = {"trid": trids}
    for name in TEXT_FIELDS:
        columns[FIELDS[name]] = struct.field(name)
    for name in TIME_FIELDS:
        columns[FIELDS[name]] = _local_times(struct.field(name), zone)
    columns["size"] = struct.field("size")
    nested = {}
    for name in NESTED_FIELDS:
        lists = struct.field(name)
        entries = pc.list_flatten(lists)
        fields = {f: entries.field(f) for f in ENTRY_FIELDS[name]}
        fields["time"] = _local_times(fields["time"], zone)
        nested[name] = (lists, fields)
    return _assemble(columns, nested, account_id, {})


def rows_tables(rows: list[dict[str, Any]]) -> dict[str, pa.Table]:
    """Raw rows of `message_row` (typed values, nested lists of entries) → the same tables."""
    columns: dict[str, pa.Array] = {
        name: pa.array([r.get(name) for r in rows], type=_arrow_type(EVENT_COLUMNS[name]))
        for name in DATA_COLUMNS
    }
    known = {*columns, "_account_id", *NESTED_FIELDS}
    extra_names = sorted({k for r in rows for k in r} - known)
    extras = {name: pa.array([r.get(name) for r in rows]) for name in extra_names}
    nested = {}
    for name in NESTED_FIELDS:
        entry_type = pa.struct(
            [(f, UTC_TIME if f == "time" else pa.string()) for f in ENTRY_FIELDS[name]]
        )
        lists = pa.array([r.get(name) or [] for r in rows], type=pa.list_(entry_type))
        entries = pc.list_flatten(lists)
        nested[name] = (lists, {f: entries.field(f) for f in ENTRY_FIELDS[name]})
    return _assemble(columns, nested, rows[0]["_account_id"] if rows else "", extras)


def _assemble(
    columns: dict[str, pa.Array],
    nested: dict[str, tuple[pa.Array, dict[str, pa.Array]]],
    account_id: str,
    extras: dict[str, pa.Array],
) -> dict[str, pa.Table]:
    trids = columns["trid"]
    n = len(trids)
    arrays = [columns[name].cast(_arrow_type(EVENT_COLUMNS[name])) for name in DATA_COLUMNS]
    arrays += [pa.array([account_id] * n, pa.string()), trids, *extras.values()]
    names = [*DATA_COLUMNS, "_account_id", "_dlt_id", *extras]
    tables = {"events": pa.table(arrays, schema=_schema(names, arrays, EVENT_COLUMNS))}
    for name, (lists, fields) in nested.items():
        parents = trids.take(pc.list_parent_indices(lists))
        positions = pa.array(_positions(pc.list_value_length(lists).to_pylist()), pa.int64())
        ids = pc.binary_join_element_wise(parents, positions.cast(pa.string()), "-")
        entry_arrays = [*fields.values(), parents, parents, positions, ids]
        entry_names = [*fields, "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"]
        tables[f"events__{name}"] = pa.table(
            entry_arrays, schema=_schema(entry_names, entry_arrays, CHILD_COLUMNS[name])
        )
    return tables


def _schema(names: list[str], arrays: list[pa.Array], hints: Any) -> pa.Schema:
    """The tables' Arrow schema with each column's nullability as its dlt hint says (trid and the
    child keys are not null): an Arrow field that disagrees with the hint makes dlt warn once
    per batch that it kept its own hints."""
    return pa.schema(
        pa.field(name, array.type, nullable=hints.get(name, {}).get("nullable", True))
        for name, array in zip(names, arrays, strict=True)
    )


def _positions(lengths: Iterable[int | None]) -> list[int]:
    return [i for n in lengths for i in range(n or 0)]


def _trids(values: list[Any]) -> pa.Array:
    """`trid` values as their exact digits: ints (any size JSON gave) or digit strings."""
    if all(type(v) is int for v in values):
        if any(v < 0 for v in values):
            raise _Slow
        kind = pa.int64() if all(v < 2**63 for v in values) else pa.uint64()
        return pa.array(values, kind).cast(pa.string())
    if all(type(v) is str for v in values):
        text = pa.array(values, pa.string())
        if pc.all(pc.match_substring_regex(text, r"^[0-9]+$")).as_py() is not False:
            return text
    raise _Slow


def _local_times(text: pa.Array, zone: ZoneInfo) -> pa.Array:
    """Account-local `YYYY-MM-DD HH:MM:SS` → UTC (`""` → null); an ambiguous time (clocks going
    back) is the earlier instant, as `local_text_to_utc`; a time in a DST gap raises (→ slow)."""
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    if pc.any(pc.invert(pc.match_substring_regex(text, PADDED))).as_py():
        raise _Slow
    naive = pc.strptime(text, format=LOCAL_FORMAT, unit="us", error_is_null=False)
    day = pc.cast(pc.utf8_slice_codeunits(text, 8, 10), pa.int64())
    if pc.all(pc.equal(pc.day(naive), day)).as_py() is False:
        raise _Slow  # a day the month does not have (Arrow's strptime rolls 02-30 into March)
    local = pc.assume_timezone(naive, timezone=zone.key, ambiguous="earliest", nonexistent="raise")
    return local.cast(UTC_TIME)


def _arrow_type(spec: Any) -> pa.DataType:
    kind = spec["data_type"]
    if kind == "timestamp":
        return UTC_TIME
    return {"bigint": pa.int64(), "text": pa.string()}[kind]


def hinted(tables: dict[str, pa.Table]) -> Iterable[Any]:
    """The tables of a batch as dlt items with their table hints (parent first)."""
    for name, table in tables.items():
        if table.num_rows:
            yield dlt.mark.with_hints(table, HINTS[name], create_table_variant=True)


def concat(batches: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """Pages' tables as one table per name (a column only some pages carry is null elsewhere)."""
    return {
        name: pa.concat_tables([b[name] for b in batches], promote_options="default")
        for name in batches[0]
    }
