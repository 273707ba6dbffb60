"""The Benchmark Email source against the sandbox simulator over real HTTP, into a temporary DuckDB."""

from __future__ import annotations

import logging
import math
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import requests

from pipelines.benchmark.client import BenchmarkClient
from pipelines.benchmark.config import BenchmarkConfig
from pipelines.benchmark.rows import event_times, events_table
from pipelines.common.errors import ProviderError
from pipelines.common.runner import LoadError
from sandbox.compare import report_differences
from tests.conftest import ROOT, Sandbox, load_benchmark, query, query_dicts

CANONICAL = {
    "email-sent": "sent",
    "email-delivered": "delivered",
    "email-opened": "opened",
    "email-clicked": "clicked",
    "email-bounced": "bounced",
    "contact-unsubscribed": "unsubscribed",
    "email-complaint": "complained",
    "email-delayed": "deferred",
    "email-rejected": "dropped",
}
MERGED = ("campaigns", "contacts", "contact_events")
REPORTS = ("report_dashboard", "report_overall", "report_histogram", "report_campaign")


def loaded_counts(warehouse: str) -> Counter[tuple[str, str]]:
    rows = query(
        warehouse,
        "select email_campaign_id, type, count(*) from raw_benchmark.contact_events group by all",
    )
    return Counter({(cid, CANONICAL[t]): n for cid, t, n in rows})


def truth_counts(sandbox: Sandbox) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (r["campaign_id"], r["event_type"]): r["count"]
            for r in sandbox.truth("benchmark")["event_counts"]
        }
    )


def table_rows(warehouse: str, tables: tuple[str, ...]) -> dict[str, int]:
    return {t: query(warehouse, f"select count(*) from raw_benchmark.{t}")[0][0] for t in tables}


def api(sandbox: Sandbox, path: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/benchmark{path}",
        params=params,
        headers={"X-API-Key": "bme_sandbox_all"},
        timeout=30,
    )


def contact_total(sandbox: Sandbox) -> int:
    """`totalRecords` of `POST /api/contact/search` at the clock."""
    response = requests.post(
        f"{sandbox.url}/benchmark/api/contact/search",
        json={"size": 1},
        headers={"X-API-Key": "bme_sandbox_all"},
        timeout=30,
    )
    return int(response.json()["totalRecords"])


def requests_used(sandbox: Sandbox) -> int:
    """Requests counted so far (this one included), from the monthly quota headers."""
    headers = api(sandbox, "/api/email/campaign", size=1).headers
    return int(headers["X-Monthly-Limit"]) - int(headers["X-Monthly-Remaining"])


def campaign_snapshot(warehouse: str) -> list[dict[str, Any]]:
    """The latest `report_campaign` snapshot in the shape of the truth's campaign report."""
    rows = query_dicts(
        warehouse,
        """
        select campaign_id, stats__sent as sent_count, stats__delivered as delivered_count,
            stats__opens__unique as unique_open_count, stats__opens__rate as open_rate,
            stats__opens__last as last_opened_at,
            stats__clicks__unique as unique_click_count, stats__clicks__rate as click_rate,
            stats__clicks__last as last_clicked_at,
            stats__total_bounces__count as bounce_count, stats__total_bounces__rate as bounce_rate,
            stats__hard_bounces__count as hard_bounce_count,
            stats__hard_bounces__rate as hard_bounce_rate,
            stats__soft_bounces__count as soft_bounce_count,
            stats__soft_bounces__rate as soft_bounce_rate,
            stats__unsubscribes as unsubscribe_count, stats__complaints as complaint_count
        from raw_benchmark.report_campaign
        qualify row_number() over (partition by campaign_id order by _dlt_load_id desc) = 1
        """,
    )
    for row in rows:
        for name in ("last_opened_at", "last_clicked_at"):
            if row[name] is not None:
                row[name] = row[name].astimezone(UTC).replace(tzinfo=None)
    return rows


def test_loads_campaigns_events_and_report_snapshots(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    summary = load_benchmark(sandbox, warehouse, tmp_path)
    assert summary.loads == 1
    truth = sandbox.truth("benchmark")
    # Every campaign (all statuses), merged on `_id`.
    total = api(sandbox, "/api/email/campaign").json()["total"]
    statuses = dict(
        query(warehouse, "select status, count(*) from raw_benchmark.campaigns group by all")
    )
    assert sum(statuses.values()) == total and statuses["draft"] == 1 and statuses["sent"] >= 3
    assert query(
        warehouse,
        "select count(*) from raw_benchmark.campaigns where status = 'draft' and stats__sent is not null",
    ) == [(0,)]
    # Every campaign contact event, counted per campaign and type like the truth.
    assert loaded_counts(warehouse) == truth_counts(sandbox)
    # Every contact existing at the clock, once (merge on `_id`), with UTC creation times.
    assert query(warehouse, "select count(*), count(distinct _id) from raw_benchmark.contacts") == [
        (contact_total(sandbox),) * 2
    ]
    assert query(
        warehouse,
        "select data_type from information_schema.columns where table_schema = 'raw_benchmark' "
        "and table_name = 'contacts' and column_name in ('created_at', 'key') order by 1",
    ) == [("TIMESTAMP WITH TIME ZONE",), ("VARCHAR",)]
    assert query(
        warehouse,
        "select count(*) from raw_benchmark.contact_events where email_link_id = '' and type = 'email-clicked'",
    ) == [(0,)]
    kinds = query(
        warehouse,
        "select data_type from information_schema.columns where table_schema = 'raw_benchmark' "
        "and table_name = 'contact_events' and column_name in ('timestamp', 'email_bounce_diag_code') "
        "order by column_name",
    )
    assert kinds == [("VARCHAR",), ("TIMESTAMP WITH TIME ZONE",)]
    # Snapshots: one row per parameter set, stamped with the provider's clock.
    now = datetime.fromisoformat(truth["now"].replace("Z", "+00:00"))
    sent = len(truth["campaign_report"])
    expected = {
        "report_dashboard": 3,
        "report_overall": 3,
        "report_histogram": 3 * 7,
        "report_campaign": sent,
        "report_engagement": sent * 3,
    }
    for table, rows in expected.items():
        stamps = query(
            warehouse, f"select count(*), min(_taken_at), max(_taken_at) from raw_benchmark.{table}"
        )
        assert stamps == [(rows, now, now)], table
    assert query(warehouse, "select past_days, timezone from raw_benchmark.report_dashboard order by 1") == [
        (7, "UTC"), (30, "UTC"), (90, "UTC"),
    ]  # fmt: skip
    assert {
        r[0]
        for r in query(warehouse, "select distinct period from raw_benchmark.report_engagement")
    } == {"24hours", "week", "month"}
    # The campaign report snapshot is the truth.
    problems = report_differences(campaign_snapshot(warehouse), truth["campaign_report"])
    assert not problems, "\n".join(problems)
    links = query(
        warehouse,
        "select sum(clicks__total), sum(clicks__unique) from raw_benchmark.report_campaign__link_activity",
    )
    clicked = query(
        warehouse, "select count(*) from raw_benchmark.contact_events where type = 'email-clicked'"
    )
    assert links[0][0] == clicked[0][0] and links[0][1] > 0
    # The histogram of first opens over 30 days adds up to the overall report's unique opens.
    sums = query(
        warehouse,
        """
        select h.past_days, sum(b.total), any_value(o.stats__unique_opens__count__value)
        from raw_benchmark.report_histogram h
        join raw_benchmark.report_histogram__histogram b on b._dlt_parent_id = h._dlt_id
        join raw_benchmark.report_overall o on o.past_days = h.past_days
        where h.event_type = 'first-email-opened'
        group by all
        """,
    )
    assert sums and all(total == overall for _, total, overall in sums)


def test_second_load_adds_nothing_and_a_clock_advance_adds_exactly_the_new_events(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_benchmark(sandbox, warehouse, tmp_path)
    first = table_rows(warehouse, MERGED + REPORTS)
    before = requests_used(sandbox)
    load_benchmark(sandbox, warehouse, tmp_path)
    second = table_rows(warehouse, MERGED + REPORTS)
    assert {t: second[t] for t in MERGED} == {t: first[t] for t in MERGED}
    assert all(second[t] == 2 * first[t] for t in REPORTS)  # snapshots append
    # The second run asked for the last day or two only: few event pages.
    assert requests_used(sandbox) - before < 60
    sandbox.advance(hours=24 * 3)  # the scheduled campaign goes out, opens and clicks go on
    assert contact_total(sandbox) > first["contacts"]  # new contacts were created meanwhile
    with caplog.at_level(logging.INFO, logger="pipelines.benchmark"):
        load_benchmark(sandbox, warehouse, tmp_path, reports=False, page_size=10)
    assert loaded_counts(warehouse) == truth_counts(sandbox)
    assert table_rows(warehouse, MERGED)["contact_events"] > first["contact_events"]
    assert table_rows(warehouse, ("contacts",))["contacts"] == contact_total(sandbox)
    # Newest first, paging stopped at the latest loaded created_at minus the lookback: a page
    # or two of 10, not the whole list.
    (read,) = [r.getMessage() for r in caplog.records if " contacts in " in r.getMessage()]
    pages = int(read.split(" in ")[1].split()[0])
    assert 1 <= pages <= 3 < math.ceil(contact_total(sandbox) / 10), read
    load_benchmark(sandbox, warehouse, tmp_path)
    problems = report_differences(
        campaign_snapshot(warehouse), sandbox.truth("benchmark")["campaign_report"]
    )
    assert not problems, "\n".join(problems)


def test_paging_stops_at_the_total(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    events = api(
        sandbox, "/api/contact/events", pastDays=90, size=1, types=",".join(CANONICAL)
    ).json()["total"]
    campaigns = api(sandbox, "/api/email/campaign", size=1).json()["total"]
    contacts = contact_total(sandbox)
    before = requests_used(sandbox)
    load_benchmark(sandbox, warehouse, tmp_path, page_size=11, past_days=[30])
    used = requests_used(sandbox) - before - 1
    sent = len(sandbox.truth("benchmark")["campaign_report"])
    # campaign pages + contact pages (first run: all) + clock probes before and after the event
    # pages + event pages + 1 dashboard + 1 overall + 7 histograms + per sent campaign: its
    # report and 3 engagement periods. No request past the last page.
    assert used == (
        math.ceil(campaigns / 11)
        + math.ceil(contacts / 11)
        + 2
        + math.ceil(events / 11)
        + 9
        + sent * 4
    )
    assert loaded_counts(warehouse) == truth_counts(sandbox)


CAP = 4  # fewer than the small world's 6 campaigns, 141 contacts and ~900 events


def paging_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "pipelines.common.paging" and r.levelno == logging.WARNING
    ]


@pytest.mark.parametrize("from_asked", [False, True], ids=["offsets-served", "offsets-asked"])
def test_a_page_size_cap_loses_nothing_and_warns_once_per_endpoint(
    sandbox: Sandbox,
    warehouse: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    from_asked: bool,
) -> None:
    """Every listing asks 100 per page and gets 4, counted either way by the server: campaigns,
    contacts and contact events are all loaded, and each endpoint warns once."""
    campaigns = api(sandbox, "/api/email/campaign", size=1).json()["total"]
    sandbox.faults("benchmark", page_size_cap=CAP, page_offsets_from_asked_size=from_asked)
    with caplog.at_level(logging.WARNING, logger="pipelines.common.paging"):
        load_benchmark(sandbox, warehouse, tmp_path, reports=False)
    assert query(warehouse, "select count(distinct _id) from raw_benchmark.campaigns") == [
        (campaigns,)
    ]
    assert query(warehouse, "select count(*), count(distinct _id) from raw_benchmark.contacts") == [
        (contact_total(sandbox),) * 2
    ]
    assert loaded_counts(warehouse) == truth_counts(sandbox)
    warnings = paging_warnings(caplog)
    assert sorted(w.split(": page ")[0] for w in warnings) == [
        "Benchmark Email: GET /api/contact/events",
        "Benchmark Email: GET /api/email/campaign",
        "Benchmark Email: POST /api/contact/search",
    ], warnings
    assert all(f"held {CAP} records where 100 were asked" in w for w in warnings), warnings


@pytest.mark.parametrize(
    ("method", "path", "options"),
    [
        ("GET", "/api/email/campaign", {}),
        ("GET", "/api/contact/events", {"pastDays": 90}),
        (
            "POST",
            "/api/contact/search",
            {"method": "POST", "records_key": "contacts", "total_key": "totalRecords"},
        ),
    ],
)
def test_a_listing_ending_below_its_total_fails_naming_the_endpoint(
    sandbox: Sandbox, method: str, path: str, options: dict[str, Any]
) -> None:
    sandbox.faults("benchmark", page_size_cap=CAP, total_overstated_by=2)
    client = BenchmarkClient(
        BenchmarkConfig(base_url=f"{sandbox.url}/benchmark", api_key="bme_sandbox_all")
    )
    with pytest.raises(ProviderError) as info:
        for _ in client.pages(path, 100, **options):
            pass
    found = re.match(
        rf"Benchmark Email: {method} {path}: received (\d+) of the (\d+) records", str(info.value)
    )
    assert found and int(found[2]) == int(found[1]) + 2 > 2, str(info.value)


def test_an_incomplete_listing_fails_the_run_and_keeps_what_was_loaded(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_benchmark(sandbox, warehouse, tmp_path, reports=False)
    before = table_rows(warehouse, MERGED)
    sandbox.advance(hours=24 * 3)
    sandbox.faults("benchmark", total_overstated_by=1)
    with pytest.raises(LoadError, match=r"^Benchmark Email: (GET|POST) /api/\S+: received \d+ of"):
        load_benchmark(sandbox, warehouse, tmp_path, reports=False)
    assert table_rows(warehouse, MERGED) == before
    sandbox.faults("benchmark", total_overstated_by=0)
    load_benchmark(sandbox, warehouse, tmp_path, reports=False)  # the next run reads it all
    assert loaded_counts(warehouse) == truth_counts(sandbox)
    assert table_rows(warehouse, ("contacts",))["contacts"] == contact_total(sandbox)


def test_rate_limit_waits_retry_after(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    sandbox.faults("benchmark", rate_limit_next=2, retry_after_seconds=1)
    started = time.monotonic()
    load_benchmark(sandbox, warehouse, tmp_path, reports=False)
    assert time.monotonic() - started >= 2  # two 429s, each waited out for Retry-After: 1
    assert loaded_counts(warehouse) == truth_counts(sandbox)


def test_a_retry_after_beyond_the_cap_fails_at_once(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.faults("benchmark", rate_limit_next=1, retry_after_seconds=86_400)
    started = time.monotonic()
    with pytest.raises(LoadError) as info:
        load_benchmark(sandbox, warehouse, tmp_path, reports=False, max_retry_after_seconds=60)
    assert time.monotonic() - started < 20
    message = str(info.value)
    assert message.startswith("Benchmark Email: GET /api/")
    assert "HTTP 429 TooManyRequestsError" in message and "Retry-After 86400" in message


def test_key_without_reports_scope(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_benchmark(sandbox, warehouse, tmp_path, api_key="bme_sandbox_noreports")
    message = str(info.value)
    assert message.startswith("Benchmark Email: GET /api/reports/")
    assert "HTTP 403 ForbiddenError: API key missing required scope: reports:read" in message
    assert "reports = false" in message
    load_benchmark(sandbox, warehouse, tmp_path, api_key="bme_sandbox_noreports", reports=False)
    assert loaded_counts(warehouse) == truth_counts(sandbox)


def test_bad_key_names_benchmark_and_hides_the_key(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    secret = "bme_live_" + "k3y" * 13
    with pytest.raises(LoadError) as info:
        load_benchmark(sandbox, warehouse, tmp_path, api_key=secret)
    message = str(info.value)
    assert message.startswith("Benchmark Email: GET /api/")
    assert "HTTP 401 UnauthorizedError: Invalid API key" in message
    assert "sources.benchmark.api_key" in message and secret not in message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("past_days", [0]),
        ("past_days", [91]),
        ("timezone", "Mars/Olympus"),
        ("event_types", ["email-read"]),
        ("engagement_periods", ["year"]),
    ],
)
def test_bad_settings_are_named(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, setting: str, value: Any
) -> None:
    with pytest.raises(LoadError, match=f"Benchmark Email: setting {setting}"):
        load_benchmark(sandbox, warehouse, tmp_path, **{setting: value})


def test_events_table_keeps_unknown_fields_and_fills_key_columns() -> None:
    table = events_table(
        [
            {
                "contactId": "c1",
                "type": "contact-created",
                "timestamp": "2026-04-01T10:00:00.123Z",
                "triggeredBy": {"type": "user", "userId": "u-1"},
                "newField": {"a": 1},
            },
            {
                "contactId": "c2",
                "type": "email-sent",
                "timestamp": "2026-04-01T10:00:01.000Z",
                "emailCampaignId": "x",
            },
        ],
        "acct",
    )
    rows = table.to_pylist()
    assert rows[0]["email_campaign_id"] == "" and rows[0]["email_link_id"] == ""
    assert rows[0]["triggered_by__user_id"] == "u-1" and rows[0]["new_field"] == '{"a": 1}'
    assert rows[1]["email_campaign_id"] == "x" and rows[1]["new_field"] is None
    assert rows[0]["timestamp"] == datetime(2026, 4, 1, 10, 0, 0, 123000, tzinfo=UTC)


def test_cli_loads_benchmark_from_config(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    """Settings from the project's `.dlt/config.toml` and `.dlt/secrets.toml` and from
    `SOURCES__BENCHMARK__*` (the sandbox's URL), none from the checkout's own `.dlt/`."""
    settings = tmp_path / "project" / ".dlt"
    settings.mkdir(parents=True)
    (settings / "config.toml").write_text(
        '[sources.benchmark]\naccount_id = "from-toml"\npast_days = [7]\n'
    )
    (settings / "secrets.toml").write_text('[sources.benchmark]\napi_key = "bme_sandbox_all"\n')
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DLT_DATA_DIR": str(tmp_path / "dlt"),  # never the system's /var/dlt or ~/.dlt
        "DLT_PROJECT_DIR": str(settings.parent),
        "SOURCES__BENCHMARK__BASE_URL": f"{sandbox.url}/benchmark",
        "WAREHOUSE_PATH": warehouse,
    }
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", "benchmark"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "raw_benchmark.contact_events" in result.stdout
    assert query(
        warehouse, "select past_days, _account_id from raw_benchmark.report_dashboard"
    ) == [(7, "from-toml")]


def test_event_times_cast_by_page_or_parsed_per_value() -> None:
    """A page Arrow's cast reads (`Z`, offsets) and one it refuses (a naive time: UTC, as
    `parse_utc` reads it) give the same instants; a bad time names itself."""
    cast = event_times(pa.chunked_array([["2026-04-01T12:00:00+02:00", "2026-04-01T10:00:00Z"]]))
    naive = event_times(pa.chunked_array([["2026-04-01T10:00:00", "2026-04-01T10:00:00Z"]]))
    ten = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
    assert cast.to_pylist() == [ten, ten] and naive.to_pylist() == [ten, ten]
    with pytest.raises(ProviderError, match="not-a-time"):
        event_times(pa.chunked_array([["not-a-time"]]))


def test_contact_events_in_batches_of_pages_load_the_same_rows(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    """`batch_rows` only groups pages into fewer dlt items: a batch of one page's rows and
    one larger than the listing load the same contact events."""
    counts = []
    for index, batch_rows in enumerate((1, 10**9)):
        path = str(tmp_path / f"w{index}.duckdb")
        load_benchmark(sandbox, path, tmp_path / str(index), reports=False, batch_rows=batch_rows)
        counts.append(
            query(
                path,
                "select count(*), count(distinct (contact_id, type, timestamp, email_campaign_id,"
                " email_link_id)), max(timestamp) from raw_benchmark.contact_events",
            )
        )
    assert counts[0] == counts[1] and counts[0][0][0] > 0
