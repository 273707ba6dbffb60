"""Pages of JSON records as Arrow tables (pipelines/netcore/arrow.py, pipelines/benchmark/rows.py):
the vectorised path gives the tables of the record-by-record path, a page it cannot take falls
back to that path, and a bad record fails naming the provider, the request and the record's
position (never its address). The loads over HTTP are tested against the sandbox
(tests/test_netcore_source.py, tests/test_benchmark_source.py)."""

from __future__ import annotations

import copy
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from pipelines.benchmark import rows as benchmark_rows
from pipelines.common.errors import ProviderError
from pipelines.netcore import arrow
from pipelines.netcore.rows import message_row
from pipelines.netcore.settings import CHILD_COLUMNS, EVENT_COLUMNS

KOLKATA = ZoneInfo("Asia/Kolkata")
WHAT = "GET /v5.1/events for 2026-04-01, the page from message 1"


def message(number: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "trid": number,
        "rcptEmail": f"person{number % 100}@mail.example.net",
        "fromaddress": "offers@mail.example.in",
        "requestedTime": "2026-04-04 11:30:00",
        "deliveryTime": "2026-04-04 11:30:08",
        "modifiedTime": "2026-04-05 09:01:02",
        "status": "click",
        "size": 35441,
        "remarks": "250 2.0.0 OK",
        "subject": "Spring offers",
        "xapiheader": "cmp-7",
        "tags": "spring",
        "opens": [
            {"ip": "10.0.0.1", "time": "2026-04-04 12:00:00"},
            {"ip": "10.0.0.2", "time": "2026-04-05 09:00:00"},
        ],
        "clicks": [
            {"ip": "10.0.0.2", "link": "https://shop.example/a", "time": "2026-04-05 09:01:02"}
        ],
    }
    record.update(changes)
    return record


def page() -> list[dict[str, Any]]:
    return [
        message(14652484202125966),
        message(14652484202125967, opens=[], clicks=None, deliveryTime="", status="processed"),
        message(18446744073709551000, size=None),  # above 2^63: exact digits still
    ]


def slow(records: list[dict[str, Any]]) -> dict[str, pa.Table]:
    return arrow.rows_tables([message_row(r, KOLKATA, "acct", WHAT) for r in records])


def test_netcore_vectorised_tables_equal_the_record_by_record_ones() -> None:
    records = page()
    fast = arrow._fast(copy.deepcopy(records), KOLKATA, "acct")
    assert {n: t.to_pylist() for n, t in fast.items()} == {
        n: t.to_pylist() for n, t in slow(records).items()
    }
    events = fast["events"].to_pylist()
    assert [e["_dlt_id"] for e in events] == [e["trid"] for e in events]
    assert events[2]["trid"] == "18446744073709551000"
    assert str(events[0]["requested_time"]) == "2026-04-04 06:00:00+00:00"  # 5:30 ahead
    opens = fast["events__opens"].to_pylist()
    assert [(o["_dlt_parent_id"], o["_dlt_list_idx"], o["_dlt_id"]) for o in opens] == [
        ("14652484202125966", 0, "14652484202125966-0"),
        ("14652484202125966", 1, "14652484202125966-1"),
        ("18446744073709551000", 0, "18446744073709551000-0"),
        ("18446744073709551000", 1, "18446744073709551000-1"),
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"newField": "kept"},  # a field Netcore added
        {"size": "35441"},  # a number as text
        {"trid": "14652484202125968"},  # a trid as text (Download Logs)
        {"requestedTime": " 2026-04-04 11:30:00"},  # another form of time
        {"requestedTime": "2026-4-4 1:30:00"},  # one-digit fields
    ],
    ids=["new-field", "size-text", "trid-text", "time-space", "time-short"],
)
def test_netcore_a_page_the_fast_path_refuses_is_read_record_by_record(
    changes: dict[str, Any],
) -> None:
    records = [*page(), message(14652484202125969, **changes)]
    with pytest.raises((arrow._Slow, pa.ArrowInvalid, pa.ArrowTypeError)):
        arrow._fast(copy.deepcopy(records), KOLKATA, "acct")
    tables = arrow.page_tables(records, KOLKATA, "acct", WHAT)
    assert {n: t.to_pylist() for n, t in tables.items()} == {
        n: t.to_pylist() for n, t in slow(records).items()
    }
    if "newField" in changes:
        assert tables["events"].column("newField").to_pylist()[-1] == "kept"


def test_netcore_a_dst_gap_time_falls_back_to_the_per_value_reading() -> None:
    zone = ZoneInfo("Europe/Stockholm")  # 2026-03-29 02:30 does not exist there
    records = [message(14652484202125966, requestedTime="2026-03-29 02:30:00")]
    tables = arrow.page_tables(records, zone, "acct", WHAT)
    expected = message_row(records[0], zone, "acct", WHAT)["requested_time"]
    assert tables["events"].column("requested_time").to_pylist() == [expected]


@pytest.mark.parametrize("bad", ["yesterday", "2026-04-04 11:30:60", "2026-02-30 10:00:00"])
def test_netcore_a_bad_record_names_the_request_and_its_position(bad: str) -> None:
    records = [*page(), message(14652484202125969, modifiedTime=bad)]
    with pytest.raises(ProviderError) as error:
        arrow.page_tables(records, KOLKATA, "acct", WHAT)
    text = str(error.value)
    assert text.startswith(
        f"Netcore: {WHAT}, record 4 of the page: modifiedTime='{bad}' is not a time"
    )
    assert "@" not in text


def event(contact: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "contactId": contact,
        "type": "email-clicked",
        "timestamp": "2026-04-04T11:30:00.123Z",
        "emailCampaignId": "c1",
        "emailCampaignName": "Spring",
        "emailTo": f"{contact}@mail.example.net",
        "emailLinkId": "l1",
        "emailTargetUrl": "https://shop.example/a",
        "triggeredBy": {"type": "user", "userId": "u1"},
    }
    record.update(changes)
    return record


def test_benchmark_vectorised_events_equal_the_record_by_record_ones() -> None:
    records = [
        event("a"),
        event("b", emailLinkId=None, triggeredBy=None, timestamp="2026-04-04T13:30:00+02:00"),
        event("c", emailCampaignId=None),
    ]
    fast = benchmark_rows._events_fast(copy.deepcopy(records), "acct")
    slow_table = benchmark_rows._events_slow(copy.deepcopy(records), "acct")
    assert fast.schema == slow_table.schema
    assert fast.to_pylist() == slow_table.to_pylist()
    assert fast.column("email_link_id").to_pylist() == ["l1", "", "l1"]


def test_benchmark_a_record_without_a_key_field_fails_naming_it() -> None:
    records = [event("a"), event("b", contactId="")]
    with pytest.raises(ProviderError, match="a record has no contact_id"):
        benchmark_rows.events_table(records, "acct")


def test_duckdb_loads_with_a_bounded_memory(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """dlt's merge may not take the machine's memory: DuckDB gets WAREHOUSE_MEMORY_LIMIT
    (default 192MB) and spills beyond it."""
    import dlt

    from pipelines.common import warehouse

    monkeypatch.setenv("WAREHOUSE", "duckdb")
    for setting, expected in (("", "183.1 MiB"), ("300MB", "286.1 MiB")):  # MB: 10^6 bytes
        if not setting:
            monkeypatch.delenv("WAREHOUSE_MEMORY_LIMIT", raising=False)
        else:
            monkeypatch.setenv("WAREHOUSE_MEMORY_LIMIT", setting)
        path = str(tmp_path / f"w{setting or 0}.duckdb")
        pipeline = dlt.pipeline(
            f"memory_{setting or 'default'}",
            destination=warehouse.destination_for(path),
            pipelines_dir=str(tmp_path / "dlt"),
        )
        with pipeline.sql_client() as client:
            rows = client.execute_sql("select current_setting('memory_limit')")
        assert rows and rows[0][0] == expected


@pytest.mark.parametrize("read", ["fast", "record by record"])
def test_netcore_tables_declare_the_nullability_of_their_dlt_hints(read: str) -> None:
    # A field whose nullability differs from the column hint makes dlt warn on every batch
    # ("several column hints were different"), a line per table of every batch loaded.
    records = page()
    tables = arrow.page_tables(records, KOLKATA, "acct", WHAT) if read == "fast" else slow(records)
    for name, table in tables.items():
        hints = EVENT_COLUMNS if name == "events" else CHILD_COLUMNS[name.split("__")[1]]
        differing = [
            field.name
            for field in table.schema
            if field.name in hints and field.nullable != hints[field.name].get("nullable", True)
        ]
        assert not differing, f"{name}: {differing}"
        assert not table.schema.field("_dlt_id").nullable
