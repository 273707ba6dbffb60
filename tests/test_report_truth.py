"""The time-bucketed report marts' truth (sandbox/reports/: truth.py, pairs.py, periods.py and
each provider's `pairs` in sandbox/<provider>/truth.py; docs/CONTRACTS.md section 9):
hand-made digests for the definitions, the world for the provider mappings, HTTP for the endpoint.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from sandbox import SandboxServer, WorldConfig
from sandbox.apsis_one.pairs import pair_facts as apsis_one_pairs
from sandbox.benchmark import reports as bme_reports
from sandbox.benchmark.digest import Digest
from sandbox.benchmark.truth import pairs as benchmark_pairs
from sandbox.maxemail.truth import pairs as maxemail_pairs
from sandbox.netcore.truth import pairs as netcore_pairs
from sandbox.reports.pairs import (
    BOUNCED,
    CLICKED,
    COMPLAINED,
    DELIVERED,
    OPENED,
    SENT,
    UNSUBSCRIBED,
    PairDigest,
    PairFacts,
)
from sandbox.reports.params import ReportParams, report_params
from sandbox.reports.periods import diff, period
from sandbox.reports.truth import (
    contact_histogram_rows,
    dashboard_rows,
    engagement_rows,
    histogram_rows,
)
from sandbox.timeutil import from_ms, to_ms
from tests.conftest import SMALL_WORLD, Sandbox

LONDON = ZoneInfo("Europe/London")
PROVIDERS = ("apsis_one", "maxemail", "netcore", "benchmark")


def ms(text: str) -> int:
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=UTC))


def pair(campaign: str, recipient: str, klass: str | None = None, **firsts: str) -> PairFacts:
    """A pair with one event of each given kind (its first), of the pair's class for a bounce."""
    first = {k: ms(v) for k, v in firsts.items()}
    every = {k: [(at, klass if k == BOUNCED else None)] for k, at in first.items()}
    return PairFacts(campaign, recipient, first, klass, every)


def naive(at_ms: int) -> str:
    return from_ms(at_ms).strftime("%Y-%m-%dT%H:%M:%S")


def rows_of(rows: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


# -- definitions on hand-made digests ------------------------------------------------------------


def test_diff_with_zero_previous_and_rounding() -> None:
    assert diff(5, 0) == 100.0
    assert diff(0, 0) == 0.0
    assert diff(0, 4) == -100.0
    assert diff(5, 4) == 25.0
    assert diff(2, 3) == -33.33
    assert diff(1, 8) == -87.5
    assert diff(33.34, 33.33) == 0.03  # rates: relative change of the two rounded rates


def test_dashboard_counts_first_events_in_the_period_and_the_previous_one() -> None:
    as_of = ms("2026-02-08T00:00:00")
    pairs = [
        # sent and delivered in the previous week, opened now: open counts now, send before
        pair("c1", "a", sent="2026-01-30T10:00:00", delivered="2026-01-30T10:01:00",
             opened="2026-02-02T08:00:00"),
        pair("c1", "b", sent="2026-02-03T10:00:00", delivered="2026-02-03T10:01:00",
             opened="2026-02-03T11:00:00", clicked="2026-02-03T11:05:00"),
        pair("c2", "a", sent="2026-02-07T23:59:59", delivered="2026-02-08T00:00:00"),  # at as_of: out
        pair("c2", "b", sent="2026-01-24T23:59:59"),  # before the previous period
    ]  # fmt: skip
    (week,) = dashboard_rows(pairs, ReportParams(as_of, (7,)))
    assert week["period_start_at"] == "2026-02-01T00:00:00"
    assert week["period_end_at"] == "2026-02-08T00:00:00"
    assert (week["sent_count"], week["previous_sent_count"], week["sent_count_diff"]) == (
        2,
        1,
        100.0,
    )
    assert (week["delivered_count"], week["previous_delivered_count"]) == (1, 1)
    assert (week["unique_open_count"], week["previous_unique_open_count"]) == (2, 0)
    assert week["unique_open_count_diff"] == 100.0
    # rates are bounded: of the pairs delivered in the period (c1/b), those opened before its
    # end; c1/a's open counts now but belongs to the previous period's deliveries, which it
    # reached only after that period ended
    assert (week["open_rate"], week["previous_open_rate"], week["open_rate_diff"]) == (
        100.0,
        0.0,
        100.0,
    )
    assert (week["unique_click_count"], week["click_rate"], week["click_rate_diff"]) == (
        1,
        100.0,
        100.0,
    )
    (day,) = dashboard_rows(pairs, ReportParams(as_of, (1,)))
    assert (day["sent_count"], day["previous_sent_count"], day["sent_count_diff"]) == (1, 0, 100.0)
    assert (day["unique_click_count"], day["previous_unique_click_count"]) == (0, 0)
    assert day["unique_click_count_diff"] == 0.0 and day["click_rate"] == 0.0


def test_pair_digest_keeps_first_times_and_the_bounce_class() -> None:
    digest = PairDigest()
    digest.note("c", "x", OPENED, ms("2026-02-05T10:00:00"))
    digest.note("c", "x", OPENED, ms("2026-02-01T10:00:00"))  # earlier, seen later
    digest.note("c", "x", OPENED, ms("2026-02-07T10:00:00"))
    digest.note("c", "x", SENT, ms("2026-01-31T10:00:00"))
    digest.bounce("c", "y", ms("2026-02-01T00:00:00"), "soft")
    digest.bounce("c", "y", ms("2026-02-02T00:00:00"), "hard")  # hard beats soft, first time kept
    digest.bounce("c", "z", ms("2026-02-01T00:00:00"), "informational")  # no bounce
    digest.bounce("c", "w", ms("2026-02-01T00:00:00"), "block")
    digest.note("c", "y", SENT, ms("2026-01-31T10:00:00"))
    digest.derive_delivered()
    facts = {p.recipient: p for p in digest.facts()}
    x, y, w = facts["x"], facts["y"], facts["w"]
    assert x.first[OPENED] == ms("2026-02-01T10:00:00")
    assert x.first[DELIVERED] == x.first[SENT]  # Maxemail: sent and not bounced, at the send
    assert (y.bounce_class, y.first[BOUNCED]) == ("hard", ms("2026-02-01T00:00:00"))
    assert DELIVERED not in y.first
    assert w.bounce_class == "soft"
    assert "z" not in facts  # an informational bounce is no event of the pair

    as_of = ms("2026-02-08T00:00:00")
    rows = histogram_rows(digest.facts(), ReportParams(as_of, (7,)))
    # email-bounced counts every bounce, each by its own class: y's soft and w's block bounce on
    # the 1st, y's hard bounce on the 2nd
    bounced = rows_of(rows, event_type="email-bounced")
    assert [(r["total"], r["hard_bounce_count"], r["soft_bounce_count"]) for r in bounced][:2] == [
        (2, 0, 2),
        (1, 1, 0),
    ]
    opened = rows_of(rows, event_type="first-email-opened")
    assert [r["total"] for r in opened] == [1, 0, 0, 0, 0, 0, 0]  # only the first open counts


def test_daily_buckets_on_the_23_hour_dst_day() -> None:
    pairs = [
        pair("c", "a", sent="2026-03-29T22:30:00"),  # 23:30 BST on the 29th
        pair("c", "b", sent="2026-03-29T23:30:00"),  # 00:30 BST on the 30th
        pair("c", "c", sent="2026-03-29T00:30:00"),  # 00:30 GMT on the 29th
        pair("c", "d", sent="2026-03-28T23:30:00"),  # 23:30 GMT on the 28th
    ]
    as_of = ms("2026-03-31T12:00:00")
    params = ReportParams(as_of, (7,), "Europe/London")
    rows = rows_of(histogram_rows(pairs, params), event_type="email-sent")
    assert [r["bucket_start_local"][:10] for r in rows] == [
        f"2026-03-{d:02d}" for d in range(24, 31)
    ]  # the 7 whole local days before the one holding as_of
    assert (rows[0]["period_start_at"], rows[0]["period_end_at"]) == (
        "2026-03-24T00:00:00",
        "2026-03-30T23:00:00",  # local midnight of the 31st (BST)
    )
    by_day = {r["bucket_start_local"]: r for r in rows}
    day29, day30 = by_day["2026-03-29T00:00:00"], by_day["2026-03-30T00:00:00"]
    assert day29["bucket_start_utc"] == "2026-03-29T00:00:00"
    assert day30["bucket_start_utc"] == "2026-03-29T23:00:00"  # the 29th had 23 hours
    assert day29["bucket_end_utc"] == day30["bucket_start_utc"]
    assert [r["bucket_index"] for r in rows] == list(range(7))
    assert day29["hard_bounce_count"] is None  # only email-bounced rows have the split
    assert (day29["total"], day30["total"], by_day["2026-03-28T00:00:00"]["total"]) == (2, 1, 1)
    assert day29["is_peak"] and sum(r["is_peak"] for r in rows) == 1


@pytest.mark.parametrize(
    ("as_of", "days", "zone", "alignment", "expected"),
    [
        # calendar: whole local days before the one holding as_of (the OpenAPI's examples)
        ("2026-02-08T10:30:00", 7, "UTC", "calendar",
         ("2026-01-25T00:00:00", "2026-02-01T00:00:00", "2026-02-08T00:00:00")),
        # London: local midnights (GMT, then BST), the 23-hour 29 March inside the period
        ("2026-04-02T12:00:00", 7, "Europe/London", "calendar",
         ("2026-03-19T00:00:00", "2026-03-26T00:00:00", "2026-04-01T23:00:00")),
        # pastDays=1: the 24 whole local hours before the one holding as_of (Kolkata is +05:30)
        ("2026-02-08T10:45:00", 1, "Asia/Kolkata", "calendar",
         ("2026-02-06T10:30:00", "2026-02-07T10:30:00", "2026-02-08T10:30:00")),
        # rolling: N x 24 h before as_of itself
        ("2026-02-08T10:30:00", 7, "Europe/London", "rolling",
         ("2026-01-25T10:30:00", "2026-02-01T10:30:00", "2026-02-08T10:30:00")),
    ],
)  # fmt: skip
def test_periods_are_whole_local_days_or_hours(
    as_of: str, days: int, zone: str, alignment: str, expected: tuple[str, str, str]
) -> None:
    span = period(ms(as_of), days, ZoneInfo(zone), alignment)
    assert tuple(naive(t) for t in span) == expected


def test_rolling_periods_list_a_first_bucket_that_starts_before_the_period() -> None:
    pairs = [pair("c", "a", sent="2026-03-24T11:00:00"), pair("c", "b", sent="2026-03-24T13:00:00")]
    params = ReportParams(ms("2026-03-31T12:00:00"), (7,), "Europe/London", "rolling")
    rows = rows_of(histogram_rows(pairs, params), event_type="email-sent")
    assert len(rows) == 8 and rows[0]["bucket_start_local"] == "2026-03-24T00:00:00"
    assert rows[0]["period_start_at"] == "2026-03-24T12:00:00"
    assert rows[0]["total"] == 1  # a (11:00) is before the period, b inside it


def test_hourly_buckets_skip_the_missing_local_hour() -> None:
    pairs = [pair("c", "a", sent="2026-03-29T01:10:00")]  # 02:10 BST
    as_of = ms("2026-03-29T12:00:00")
    params = ReportParams(as_of, (1,), "Europe/London")
    rows = rows_of(histogram_rows(pairs, params), event_type="email-sent")
    assert len(rows) == 24
    locals_ = [r["bucket_start_local"] for r in rows]
    assert "2026-03-29T01:00:00" not in locals_
    assert locals_[:2] == ["2026-03-28T12:00:00", "2026-03-28T13:00:00"]
    hit = [r for r in rows if r["total"]]
    assert [(r["bucket_start_local"], r["bucket_start_utc"]) for r in hit] == [
        ("2026-03-29T02:00:00", "2026-03-29T01:00:00")
    ]
    assert hit[0]["is_peak"]


def test_peak_is_the_first_highest_bucket_and_the_first_when_all_are_zero() -> None:
    pairs = [
        pair("c", "a", opened="2026-02-03T10:00:00"),
        pair("c", "b", opened="2026-02-05T10:00:00"),
        pair("c", "d", opened="2026-02-05T11:00:00"),
        pair("c", "e", opened="2026-02-06T10:00:00"),
        pair("c", "f", opened="2026-02-06T12:00:00"),
    ]
    rows = histogram_rows(pairs, ReportParams(ms("2026-02-08T00:00:00"), (7,)))
    opened = rows_of(rows, event_type="first-email-opened")
    assert [r["bucket_start_utc"][:10] for r in opened if r["is_peak"]] == ["2026-02-05"]
    clicked = rows_of(rows, event_type="first-email-clicked")
    assert [r["is_peak"] for r in clicked] == [True] + [False] * 6


def test_engagement_buckets_start_at_the_first_send() -> None:
    pairs = [
        pair("c", "a", sent="2026-03-28T10:30:00", opened="2026-03-28T10:45:00",
             clicked="2026-03-28T10:50:00"),
        pair("c", "b", sent="2026-03-28T10:35:00", opened="2026-03-29T10:15:00"),  # day 2
        pair("d", "a", opened="2026-03-28T10:45:00"),  # never sent: no engagement rows
    ]  # fmt: skip
    rows = engagement_rows(pairs, LONDON)
    assert {r["campaign_id"] for r in rows} == {"c"}
    hours = rows_of(rows, period="24hours")
    assert len(hours) == 24 and hours[0]["bucket_start_local"] == "2026-03-28T10:00:00"
    assert hours[-1]["bucket_start_local"] == "2026-03-29T10:00:00"  # 23 hours later: DST night
    assert (hours[0]["unique_open_count"], hours[0]["unique_click_count"]) == (1, 1)
    assert hours[0]["total"] == 2 and hours[0]["is_peak"]
    assert hours[-1]["bucket_start_utc"] == "2026-03-29T09:00:00"
    assert sum(r["unique_open_count"] for r in hours) == 1  # b's open (11:15 BST) is after them
    week = rows_of(rows, period="week")
    assert [r["bucket_start_local"][:10] for r in week] == [
        "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02",
        "2026-04-03",
    ]  # fmt: skip
    assert [r["total"] for r in week] == [2, 1, 0, 0, 0, 0, 0]
    assert len(rows_of(rows, period="month")) == 30


def test_report_params() -> None:
    now = ms("2026-02-08T00:00:00")
    assert report_params(None, now) == ReportParams(now, (1, 7, 30), "UTC")
    params = report_params(
        {"as_of": "2026-01-01T00:00:00Z", "past_days": "1,90", "timezone": "Europe/London"}, now
    )
    assert params == ReportParams(ms("2026-01-01T00:00:00"), (1, 90), "Europe/London")
    assert report_params({"alignment": "rolling"}, now).alignment == "rolling"
    for bad in (
        {"past_days": "0"},
        {"past_days": "x"},
        {"timezone": "Mars/Base"},
        {"as_of": "x"},
        {"alignment": "weekly"},
    ):
        with pytest.raises(ValueError):
            report_params(bad, now)


# -- provider mappings on the world ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    server = SandboxServer(WorldConfig(**SMALL_WORLD))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pairs(server: SandboxServer, provider: str) -> list[PairFacts]:
    world, now = server.world, server.world.now_ms
    if provider == "apsis_one":
        return apsis_one_pairs(world.parts["apsis_one"], now)
    if provider == "maxemail":
        return maxemail_pairs(world.parts["maxemail"], now, LONDON)
    if provider == "netcore":
        return netcore_pairs(world.parts["netcore"], now, ZoneInfo("Asia/Kolkata"))
    return benchmark_pairs(Digest(world.parts["benchmark"], now))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_pairs_agree_with_the_campaign_report(server: SandboxServer, provider: str) -> None:
    """Whole-campaign pair counts equal the provider truth's `campaign_report` (same mapping)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for facts in _pairs(server, provider):
        tally = counts[facts.campaign_id]
        for kind in facts.first:
            tally[kind] += 1
        if facts.bounce_class:
            tally[facts.bounce_class] += 1
    report = server.providers[provider].truth()["campaign_report"]
    assert report
    for row in report:
        tally = counts[row["campaign_id"]]
        assert (
            row["sent_count"], row["delivered_count"], row["unique_open_count"],
            row["unique_click_count"], row["hard_bounce_count"], row["soft_bounce_count"],
            row["unsubscribe_count"], row["complaint_count"],
        ) == (
            tally[SENT], tally[DELIVERED], tally[OPENED], tally[CLICKED], tally["hard"],
            tally["soft"], tally[UNSUBSCRIBED], tally[COMPLAINED],
        ), row["campaign_id"]  # fmt: skip


def test_benchmark_truth_equals_the_simulators_own_reports(server: SandboxServer) -> None:
    digest = Digest(server.world.parts["benchmark"], server.world.now_ms)
    pairs = benchmark_pairs(digest)
    for days in (1, 7, 30):
        api = bme_reports.dashboard(digest, days, LONDON)["campaign"]
        params = ReportParams(digest.now_ms, (days,), "Europe/London")
        (row,) = dashboard_rows(pairs, params)
        assert (api["sent"]["count"], api["sent"]["diff"]) == (
            row["sent_count"],
            row["sent_count_diff"],
        )
        assert api["delivered"]["count"] == row["delivered_count"]
        assert api["uniqueOpens"]["rate"] == {
            "value": row["open_rate"],
            "diff": row["open_rate_diff"],
        }
        assert api["uniqueClicks"]["count"]["value"] == row["unique_click_count"]
        rows = histogram_rows(pairs, params)
        for event_type in bme_reports.HISTOGRAM_TYPES:
            body = bme_reports.histogram(digest, event_type, days, LONDON)
            mine = rows_of(rows, event_type=event_type)
            assert [b["total"] for b in body["histogram"]] == [r["total"] for r in mine]
            assert (body["start"][:19], body["end"][:19]) == (
                mine[0]["period_start_at"],
                mine[0]["period_end_at"],
            )
            (peak,) = [r for r in mine if r["is_peak"]]
            assert body["peak"]["total"] == peak["total"]
        # The dashboard's contact part (CONTRACTS 10.1).
        contact = bme_reports.dashboard(digest, days, LONDON)["contact"]
        (row,) = dashboard_rows(pairs, params, digest.created)
        assert contact["count"] == {
            "value": row["contact_count"],
            "diff": row["contact_count_diff"],
        }
        buckets = contact_histogram_rows(digest.created, params)
        assert [(b["date"], b["total"]) for b in contact["histogram"]["histogram"]] == [
            (r["bucket_start_utc"] + "." + "000Z", r["total"]) for r in buckets
        ]
        (peak,) = [r for r in buckets if r["is_peak"]]
        assert contact["histogram"]["peak"] == {
            "date": peak["bucket_start_utc"] + ".000Z",
            "total": peak["total"],
        }


# -- the endpoint --------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_truth_endpoint_adds_the_report_marts(sandbox: Sandbox, provider: str) -> None:
    url = f"{sandbox.url}/_sandbox/truth/{provider}"
    params = {"past_days": "1,7,30", "timezone": "Europe/London"}
    body = requests.get(url, params=params, timeout=60).json()
    assert body["report_params"]["as_of"] == body["now"]  # default: the world clock
    assert [r["past_days"] for r in body["dashboard"]] == [1, 7, 30]
    assert {r["past_days"] for r in body["histogram"]} == {1, 7, 30}
    assert len({r["event_type"] for r in body["histogram"]}) == 7
    assert body["engagement"] and {r["period"] for r in body["engagement"]} == {
        "24hours", "week", "month"
    }  # fmt: skip
    as_of = requests.get(url, params={**params, "as_of": "2026-01-15T00:00:00Z"}, timeout=60)
    assert as_of.json()["dashboard"][0]["period_end_at"] == "2026-01-15T00:00:00"
    contact_columns = [r["contact_count"] for r in body["dashboard"]]
    if provider == "benchmark":
        assert all(isinstance(n, int) and n > 0 for n in contact_columns)
        assert {r["past_days"] for r in body["contact_histogram"]} == {1, 7, 30}
    else:
        assert contact_columns == [None] * 3 and body["contact_histogram"] == []
    bad = requests.get(url, params={"past_days": "91"}, timeout=30)
    assert bad.status_code == 400
