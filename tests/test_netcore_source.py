"""The Netcore source against the sandbox simulator over real HTTP, into a temporary DuckDB."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines.common.runner import LoadError
from sandbox.netcore import downloads
from sandbox.netcore.model import state_at
from tests.conftest import Sandbox, load_netcore, query, query_dicts
from tests.netcore_bounces import is_hard, is_soft

# about 1.5 s a test on two cores, over the default of a unit test (tests/shards.py)
pytestmark = pytest.mark.cost(1.5)

NOT_SENT = "('processed', 'dropped', 'invalid')"
BOUNCES = "('hardbounce', 'softbounce', 'bounce')"
LOCAL_DATE = "cast(timezone('Asia/Kolkata', requested_time) as date)"
EVENT_COLUMNS = [
    ("trid", "VARCHAR"),
    ("rcpt_email", "VARCHAR"),
    ("fromaddress", "VARCHAR"),
    ("status", "VARCHAR"),
    ("remarks", "VARCHAR"),
    ("subject", "VARCHAR"),
    ("xapiheader", "VARCHAR"),
    ("tags", "VARCHAR"),
    ("requested_time", "TIMESTAMP WITH TIME ZONE"),
    ("delivery_time", "TIMESTAMP WITH TIME ZONE"),
    ("modified_time", "TIMESTAMP WITH TIME ZONE"),
    ("size", "BIGINT"),
    ("_account_id", "VARCHAR"),
    ("_dlt_id", "VARCHAR"),  # the trid (pipelines/netcore/arrow.py)
    ("_dlt_load_id", "VARCHAR"),
]


def columns(warehouse: str, table: str) -> list[tuple[str, str]]:
    return [
        (name, kind)
        for name, kind in query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = 'raw_netcore' and table_name = '{table}' "
            "order by ordinal_position",
        )
    ]


def world_messages(sandbox: Sandbox) -> dict[str, Any]:
    """The world's messages in their state at the clock, by trid text."""
    world = sandbox.server.world
    now_ms = world.now_ms
    states = (state_at(m, now_ms) for m in world.parts["netcore"].messages)
    return {str(s.message.trid): s for s in states if s is not None}


def naive_utc(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def loaded_report(warehouse: str) -> dict[str, dict[str, Any]]:
    """The campaign report counts computed from the raw tables by CONTRACTS 6.3."""
    rows = query_dicts(
        warehouse,
        f"""
        with opens as (
            select _dlt_parent_id, max("time") as last_open from raw_netcore.events__opens group by 1
        ), clicks as (
            select _dlt_parent_id, max("time") as last_click
            from raw_netcore.events__clicks group by 1
        )
        select
            xapiheader as campaign_id,
            count(distinct case when status not in {NOT_SENT} then lower(rcpt_email) end)
                as sent_count,
            count(distinct case when delivery_time is not null then lower(rcpt_email) end)
                as delivered_count,
            count(distinct case when last_open is not null then lower(rcpt_email) end)
                as unique_open_count,
            max(last_open) as last_opened_at,
            count(distinct case when last_click is not null then lower(rcpt_email) end)
                as unique_click_count,
            max(last_click) as last_clicked_at,
            count(distinct case when status = 'unsubscribe' then lower(rcpt_email) end)
                as unsubscribe_count,
            count(distinct case when status = 'spam' then lower(rcpt_email) end)
                as complaint_count
        from raw_netcore.events e
        left join opens o on o._dlt_parent_id = e._dlt_id
        left join clicks c on c._dlt_parent_id = e._dlt_id
        group by 1
        """,
    )
    # bounces by their class (a plain `bounce` by its remarks): hard beats soft per recipient
    hard: dict[str, set[str]] = {r["campaign_id"]: set() for r in rows}
    soft: dict[str, set[str]] = {r["campaign_id"]: set() for r in rows}
    for campaign, address, status, remarks in query(
        warehouse,
        "select xapiheader, lower(rcpt_email), status, coalesce(remarks, '') "
        f"from raw_netcore.events where status in {BOUNCES}",
    ):
        if is_hard(status, remarks):
            hard[campaign].add(address)
        elif is_soft(status, remarks):
            soft[campaign].add(address)
    report = {}
    for row in rows:
        row["last_opened_at"] = naive_utc(row["last_opened_at"])
        row["last_clicked_at"] = naive_utc(row["last_clicked_at"])
        campaign = row["campaign_id"]
        row["hard_bounce_count"] = len(hard[campaign])
        row["soft_bounce_count"] = len(soft[campaign] - hard[campaign])
        row["bounce_count"] = row["hard_bounce_count"] + row["soft_bounce_count"]
        report[campaign] = row
    return report


def truth_report(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    keys = (
        "campaign_id", "sent_count", "delivered_count", "unique_open_count", "last_opened_at",
        "unique_click_count", "last_clicked_at", "hard_bounce_count", "soft_bounce_count",
        "unsubscribe_count", "complaint_count", "bounce_count",
    )  # fmt: skip
    return {
        r["campaign_id"]: {k: r[k] for k in keys}
        for r in sandbox.truth("netcore")["campaign_report"]
    }


def loaded_event_counts(warehouse: str) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for campaign, status, delivered, n in query(
        warehouse,
        "select xapiheader, status, delivery_time is not null, count(*) "
        "from raw_netcore.events group by all",
    ):
        counts[campaign, "sent"] += 0 if status in ("processed", "dropped", "invalid") else n
        counts[campaign, "delivered"] += n if delivered else 0
        kind = {
            "hardbounce": "bounced",
            "softbounce": "bounced",
            "bounce": "bounced",
            "dropped": "dropped",
            "invalid": "dropped",
            "unsubscribe": "unsubscribed",
            "spam": "complained",
        }.get(status)
        if kind:
            counts[campaign, kind] += n
    return +counts


def truth_event_counts(sandbox: Sandbox) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (r["campaign_id"], r["event_type"]): r["count"]
            for r in sandbox.truth("netcore")["event_counts"]
        }
    )


def table_rows(warehouse: str) -> dict[str, int]:
    return {
        t: query(warehouse, f"select count(*) from raw_netcore.{t}")[0][0]
        for t in ("events", "events__opens", "events__clicks", "stats")
    }


def assert_equals_the_world(sandbox: Sandbox, warehouse: str) -> None:
    """Every message of the world at the clock is one row, in its current status, with exactly
    its opens and clicks; the per-campaign counts equal the truth."""
    world = world_messages(sandbox)
    loaded = dict(query(warehouse, "select trid, status from raw_netcore.events"))
    assert loaded == {trid: state.status for trid, state in world.items()}
    opens = sum(len(s.opens) for s in world.values())
    clicks = sum(len(s.clicks) for s in world.values())
    rows = table_rows(warehouse)
    assert (rows["events__opens"], rows["events__clicks"]) == (opens, clicks)
    assert loaded_report(warehouse) == truth_report(sandbox)
    assert loaded_event_counts(warehouse) == truth_event_counts(sandbox)


# -- tests ---------------------------------------------------------------------------------------


def test_loads_every_message_of_the_truth_with_exact_trids(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    summary = load_netcore(sandbox, warehouse, tmp_path)
    assert_equals_the_world(sandbox, warehouse)
    assert summary.loads == 3  # 2026-02-01 .. 2026-05-01 in 30-day windows, one load each
    assert columns(warehouse, "events") == EVENT_COLUMNS
    trids = [t for (t,) in query(warehouse, "select trid from raw_netcore.events")]
    assert all(t.isdigit() and int(t) > 2**53 for t in trids)
    assert any(str(int(float(t))) != t for t in trids)  # a float would have changed them
    assert columns(warehouse, "events__opens") == [
        ("ip", "VARCHAR"),
        ("time", "TIMESTAMP WITH TIME ZONE"),
        ("_dlt_root_id", "VARCHAR"),
        ("_dlt_parent_id", "VARCHAR"),
        ("_dlt_list_idx", "BIGINT"),
        ("_dlt_id", "VARCHAR"),  # <trid>-<position> (pipelines/netcore/arrow.py)
        ("_dlt_load_id", "VARCHAR"),  # merged on their own: a load id of their own
    ]
    assert [c for c, _ in columns(warehouse, "events__clicks")][:3] == ["ip", "link", "time"]
    # Local times are stored as UTC: Asia/Kolkata is 5:30 ahead.
    world = world_messages(sandbox)
    trid, requested = query(
        warehouse, "select trid, requested_time from raw_netcore.events order by trid limit 1"
    )[0]
    assert requested == datetime.fromtimestamp(world[trid].message.requested_s, UTC)
    # One ledger row per window, named after the endpoint.
    jobs = query(
        warehouse,
        "select resource, report_id, status, rows from raw_netcore.export_jobs order by 2",
    )
    assert [j[0] for j in jobs] == ["events"] * 3 and {j[2] for j in jobs} == {"completed"}
    assert jobs[0][1] == "/v5.1/events 2026-02-01..2026-03-02"
    assert sum(j[3] for j in jobs) == len(world)
    # Stats: one row per local day, Netcore's counts of the messages requested that day.
    stats = query(
        warehouse,
        "select s.date, s.requested, s.sent, s.delivered, s.hardbounce, s._account_id "
        "from raw_netcore.stats s order by 1",
    )
    assert stats[0][0].isoformat() == "2026-02-01" and stats[-1][0].isoformat() == "2026-05-01"
    by_day = query(
        warehouse,
        f"select {LOCAL_DATE}, count(*), count(*) filter (where status not in {NOT_SENT}), "
        "count(delivery_time) from raw_netcore.events group by 1",
    )
    hard_by_day: Counter[Any] = Counter(
        day
        for day, status, remarks in query(
            warehouse,
            f"select {LOCAL_DATE}, status, coalesce(remarks, '') from raw_netcore.events "
            f"where status in {BOUNCES}",
        )
        if is_hard(status, remarks)
    )
    expected = {day: (n, s, d, hard_by_day[day]) for day, n, s, d in by_day}
    assert {row[0]: row[1:5] for row in stats if row[1]} == expected
    assert {row[5] for row in stats} == {"sandbox"}


def test_second_load_adds_nothing_and_a_clock_advance_updates_in_place(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_netcore(sandbox, warehouse, tmp_path)
    first = table_rows(warehouse)
    before = dict(query(warehouse, "select trid, status from raw_netcore.events"))
    summary = load_netcore(sandbox, warehouse, tmp_path)
    assert summary.loads == 1 and summary.rows["events"] < first["events"]  # the lookback only
    assert table_rows(warehouse) == first
    sandbox.advance(hours=48)
    load_netcore(sandbox, warehouse, tmp_path)
    assert_equals_the_world(sandbox, warehouse)
    after = dict(query(warehouse, "select trid, status from raw_netcore.events"))
    assert set(after) > set(before)  # new messages arrived
    assert any(after[t] != before[t] for t in before)  # old ones changed status in place
    assert query(warehouse, "select count(*) - count(distinct trid) from raw_netcore.events") == [
        (0,)
    ]
    # The lookback re-read the trailing days only: the resume date is today - 3 days.
    jobs = query(warehouse, "select report_id from raw_netcore.export_jobs order by requested_at")
    assert jobs[-1] == ("/v5.1/events 2026-04-28..2026-05-03",)


def test_rate_limits_and_server_errors_are_waited_out(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.faults("netcore", rate_limit_next=2, retry_after_seconds=1, server_error_next=1)
    started = time.monotonic()
    load_netcore(sandbox, warehouse, tmp_path)
    assert time.monotonic() - started >= 2.0  # two Retry-After: 1 waits
    faults = sandbox.server.providers["netcore"].get_faults()
    assert faults["rate_limit_next"] == 0 and faults["server_error_next"] == 0
    assert_equals_the_world(sandbox, warehouse)


def test_download_logs_gives_the_rows_of_the_events_api(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_netcore(sandbox, warehouse, tmp_path)
    bulk = str(tmp_path / "bulk.duckdb")
    sandbox.faults("netcore", truncate_downloads=1)  # a broken transfer is retried
    load_netcore(sandbox, bulk, tmp_path / "bulk", download_logs=True)
    assert_equals_the_world(sandbox, bulk)
    for sql in (
        "select * exclude (_dlt_load_id, _dlt_id) from raw_netcore.events order by trid",
        "select e.trid, o.* exclude (_dlt_root_id, _dlt_parent_id, _dlt_id, _dlt_load_id) "
        "from raw_netcore.events__opens o join raw_netcore.events e on o._dlt_parent_id = e._dlt_id "
        "order by 1, _dlt_list_idx",
        "select e.trid, c.* exclude (_dlt_root_id, _dlt_parent_id, _dlt_id, _dlt_load_id) "
        "from raw_netcore.events__clicks c join raw_netcore.events e on c._dlt_parent_id = e._dlt_id "
        "order by 1, _dlt_list_idx",
    ):
        assert query(bulk, sql) == query(warehouse, sql)
    jobs = query(
        bulk,
        "select report_id, status, attempts, rows, bytes from raw_netcore.export_jobs order by 1",
    )
    assert len(jobs) == 3 and {j[1] for j in jobs} == {"completed"}
    assert all(len(j[0]) == 24 and j[2] >= 2 and j[4] > 0 for j in jobs if j[3])  # polled twice


def test_streamed_zipped_download_logs_load_the_rows_of_the_events_api(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Logs files of more than `STREAM_FROM` rows are streamed (chunked, a ZIP with a data
    descriptor): the loader reads them, a broken stream is retried, the rows are the same."""
    monkeypatch.setattr(downloads, "STREAM_FROM", 40)
    load_netcore(sandbox, warehouse, tmp_path)
    bulk = str(tmp_path / "bulk.duckdb")
    sandbox.faults("netcore", zip_downloads=True, truncate_downloads=1)
    load_netcore(sandbox, bulk, tmp_path / "bulk", download_logs=True)
    assert_equals_the_world(sandbox, bulk)
    sql = "select * exclude (_dlt_load_id, _dlt_id) from raw_netcore.events order by trid"
    assert query(bulk, sql) == query(warehouse, sql)
    assert sandbox.server.providers["netcore"].get_faults()["truncate_downloads"] == 0


def test_v6_bearer_offset_paging_and_the_retention_clamp(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="pipelines.common.gaps"):
        load_netcore(
            sandbox,
            warehouse,
            tmp_path,
            api_version="v6",
            paging="offset",
            page_size=40,
            start_date="2025-06-01",
            allow_gaps=True,  # days past the retention are a gap (tests/test_gaps.py)
        )
    assert (
        "Netcore: events requested on 2025-06-01..2026-01-30 (account-local days) are past "
        "Netcore's 90-day retention; accepted" in caplog.text
    )
    assert_equals_the_world(sandbox, warehouse)
    jobs = query(warehouse, "select min(window_start), sum(attempts) from raw_netcore.export_jobs")
    assert naive_utc(jobs[0][0]) == "2026-01-30T18:30:00"  # 2026-01-31 in Asia/Kolkata
    assert jobs[0][1] > len(world_messages(sandbox)) / 40  # page by page, day by day


CAP = 4  # records per page under the fault: below the messages of most days and 30-day windows


@pytest.mark.parametrize("from_asked", [False, True], ids=["offsets-served", "offsets-asked"])
@pytest.mark.parametrize("paging", ["scrollid", "offset"])
def test_a_page_size_cap_loses_nothing_and_warns_once_per_endpoint(
    sandbox: Sandbox,
    warehouse: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    paging: str,
    from_asked: bool,
) -> None:
    """Events (asking 1000 per page) and stats (asking 100) get 4 records per page, the scroll
    and the stats pages advanced either way by the server: every message and every day is loaded,
    and each endpoint warns once."""
    sandbox.faults("netcore", page_size_cap=CAP, page_offsets_from_asked_size=from_asked)
    with caplog.at_level(logging.WARNING, logger="pipelines.common.paging"):
        load_netcore(sandbox, warehouse, tmp_path, paging=paging)
    assert_equals_the_world(sandbox, warehouse)
    days = query(warehouse, "select min(date), max(date), count(*) from raw_netcore.stats")
    assert [(d.isoformat(), e.isoformat(), n) for d, e, n in days] == [
        ("2026-02-01", "2026-05-01", 90)
    ]
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "pipelines.common.paging" and r.levelno == logging.WARNING
    ]
    assert sorted(w.split(": page ")[0].split(" for ")[0] for w in warnings) == [
        "Netcore: GET /v5.1/events",
        "Netcore: GET /v5.1/stats",
    ], warnings
    assert any(f"held {CAP} records where 1000 were asked" in w for w in warnings), warnings
    assert any(f"held {CAP} records where 100 were asked" in w for w in warnings), warnings


@pytest.mark.parametrize("paging", ["scrollid", "offset"])
def test_an_event_listing_ending_below_its_total_fails_naming_the_endpoint(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, paging: str
) -> None:
    sandbox.faults("netcore", total_overstated_by=1)
    with pytest.raises(LoadError) as info:
        load_netcore(sandbox, warehouse, tmp_path, paging=paging)
    first = "2026-02-01..2026-03-02" if paging == "scrollid" else r"2026-02-\d\d"
    found = re.match(
        rf"Netcore: GET /v5\.1/events for {first}: received (\d+) of the (\d+) records",
        str(info.value),
    )
    assert found and int(found[2]) == int(found[1]) + 1, str(info.value)


def test_bad_key_names_netcore_and_the_endpoint_without_the_key(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    secret = "nc-not-the-key-7f3a"
    for version in ("v5.1", "v6"):
        with pytest.raises(LoadError) as info:
            load_netcore(sandbox, warehouse, tmp_path, api_key=secret, api_version=version)
        message = str(info.value)
        assert message.startswith("Netcore: authentication failed"), message
        assert f"/netcore/{version}/stats returned HTTP 401" in message
        assert "sources.netcore.api_key" in message and secret not in message


@pytest.mark.parametrize(
    ("setting", "text"),
    [
        ({"api_version": "v7"}, "unknown api_version 'v7'"),
        ({"paging": "pages"}, "unknown paging 'pages'"),
        ({"timezone": "India"}, "unknown timezone 'India'"),
        ({"page_size": 5000}, "page_size must be 1..1000"),
        ({"lookback_days": -1}, "lookback_days must be >= 0"),
        ({"start_date": "yesterday"}, "start_date='yesterday'"),
    ],
)
def test_bad_settings_are_clear_errors(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, setting: dict[str, Any], text: str
) -> None:
    with pytest.raises(LoadError) as info:
        load_netcore(sandbox, warehouse, tmp_path, **setting)
    assert str(info.value).startswith("Netcore: ") and text in str(info.value)


def test_a_schema_stored_with_nested_children_is_unlinked_and_loads_again(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    """Before issue 14 dlt's normaliser stored `events__opens`/`events__clicks` as nested tables
    of `events`; the Arrow child tables are merged on their own, which dlt refuses for a table
    whose parent changes. `migrate_schema` (run by the runner after binding) unlinks them; the
    rows stay and the next load passes."""
    from pipelines.common.warehouse import make_pipeline

    load_netcore(sandbox, warehouse, tmp_path)
    pipeline = make_pipeline("netcore", warehouse, str(tmp_path / "dlt_pipelines"))
    schema = pipeline.default_schema
    for name in ("events__opens", "events__clicks"):
        schema.tables[name]["parent"] = "events"  # as dlt's normaliser stored it
        schema.tables[name]["columns"]["_dlt_root_id"]["root_key"] = True
    schema._bump_version()
    pipeline.schemas.save_schema(schema)
    load_netcore(sandbox, warehouse, tmp_path)  # the runner migrates, then loads
    assert_equals_the_world(sandbox, warehouse)
    stored = make_pipeline("netcore", warehouse, str(tmp_path / "dlt_pipelines")).default_schema
    for name in ("events__opens", "events__clicks"):
        assert "parent" not in stored.tables[name]
        assert "root_key" not in stored.tables[name]["columns"]["_dlt_root_id"]
