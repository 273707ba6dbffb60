"""The NumPy report truth (sandbox/reports/ over a `PairTable`) gives the same documents as the
pure-Python truth it replaced (tests/report_reference.py over `PairFacts`): compared as JSON text
(same keys in the same order, same values, same types: an int64 or a float32 would not dump) on
every provider's pairs of the default world and of each account mode, at several clocks, with
past_days 1, 7, 30 and 90, both alignments and zones with daylight saving and with half- and
quarter-hour offsets; and on random pairs whose times sit on the periods' and buckets' edges.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import tests.report_reference as reference
from sandbox import ACCOUNT_MODES, World, world_config
from sandbox.apsis_one.truth import campaigns as apsis_one_campaigns
from sandbox.apsis_one.truth import pairs as apsis_one_pairs
from sandbox.benchmark.digest import Digest
from sandbox.benchmark.truth import campaigns as benchmark_campaigns
from sandbox.benchmark.truth import pairs as benchmark_pairs
from sandbox.maxemail.truth import campaigns as maxemail_campaigns
from sandbox.maxemail.truth import pairs as maxemail_pairs
from sandbox.netcore.truth import campaigns as netcore_campaigns
from sandbox.netcore.truth import pairs as netcore_pairs
from sandbox.reports import counts
from sandbox.reports.document import truth_document
from sandbox.reports.overall import CampaignFacts, overall_truth
from sandbox.reports.pairs import BOUNCED, EVERY_KINDS, KINDS, PairFacts
from sandbox.reports.params import ReportParams
from sandbox.reports.periods import buckets, local_hours, n_buckets, unit_for_days, utc_offsets_ms
from sandbox.reports.table import PairTable, as_table
from sandbox.reports.truth import HISTOGRAM_KINDS, report_truth
from sandbox.timeutil import DAY_MS, HOUR_MS, from_ms, to_ms

PROVIDERS = ("apsis_one", "maxemail", "netcore", "benchmark")
MAXEMAIL_ZONE, NETCORE_ZONE = ZoneInfo("Europe/London"), ZoneInfo("Asia/Kolkata")  # defaults
ZONES = ("UTC", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe")  # DST, +5:30, 30-min DST
PAST_DAYS = (1, 7, 30, 90)
# as_of on daylight-saving changes (the clock at the world's end, every event visible)
DST_AS_OF = ("2026-03-29T12:00:00", "2026-03-30T00:00:00", "2026-04-05T12:00:00")

Inputs = tuple[list[PairFacts], list[CampaignFacts], list[int] | None]


def ms(text: str) -> int:
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=UTC))


@cache
def _world(mode: str) -> World:
    return World(world_config(*((mode,) if mode else ())))


def _inputs(world: World, provider: str, now_ms: int) -> Inputs:
    """The provider's pairs, campaigns and contacts at a clock, as its `truth()` passes them."""
    part = world.parts[provider]
    if provider == "apsis_one":
        return apsis_one_pairs(part.events, now_ms), apsis_one_campaigns(part.campaigns), None
    if provider == "maxemail":
        return (
            maxemail_pairs(part, now_ms, MAXEMAIL_ZONE),
            maxemail_campaigns(part, now_ms, MAXEMAIL_ZONE),
            None,
        )
    if provider == "netcore":
        return netcore_pairs(part, now_ms, NETCORE_ZONE), netcore_campaigns(part), None
    digest = Digest(part, now_ms)
    return benchmark_pairs(digest), benchmark_campaigns(digest), digest.created


def _old(inputs: Inputs, params: ReportParams) -> str:
    pairs, campaigns, contacts = inputs
    return json.dumps(
        [
            reference.report_truth(pairs, params, contacts),
            reference.overall_truth(pairs, campaigns, params),
        ]
    )


def _new(table: PairTable, inputs: Inputs, params: ReportParams) -> str:
    _, campaigns, contacts = inputs
    return json.dumps(
        [report_truth(table, params, contacts), overall_truth(table, campaigns, params)]
    )


def _assert_same(inputs: Inputs, params_list: list[ReportParams]) -> int:
    """Every params' documents equal; returns how many rows were compared."""
    table = PairTable.from_facts(inputs[0])
    rows = 0
    for params in params_list:
        old = _old(inputs, params)
        assert _new(table, inputs, params) == old, params
        rows += old.count("{")
    return rows


def _grid(as_of_ms: int, zones: tuple[str, ...] = ZONES) -> list[ReportParams]:
    return [
        ReportParams(as_of_ms, PAST_DAYS, zone, alignment)
        for zone in zones
        for alignment in ("calendar", "rolling")
    ]


# -- providers' worlds ----------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_default_world_documents_equal_the_reference(provider: str) -> None:
    """At the initial clock, 70 days into the timeline and at its end; and as_of on the DST
    changes of London (23-hour day) and Lord Howe (30-minute fall back) with every event
    visible."""
    world = _world("")
    start, end = to_ms(world.start), to_ms(world.end)
    compared = 0
    for now in (world.now_ms, start + 70 * DAY_MS + 7 * HOUR_MS + 1234, end):
        inputs = _inputs(world, provider, now)
        assert inputs[0], "a clock without pairs proves nothing"
        compared += _assert_same(inputs, _grid(now))
    inputs = _inputs(world, provider, end)
    compared += _assert_same(inputs, [p for at in DST_AS_OF for p in _grid(ms(at))])
    assert compared > 10_000


@pytest.mark.parametrize("mode", sorted(ACCOUNT_MODES))
@pytest.mark.parametrize("provider", PROVIDERS)
def test_account_mode_documents_equal_the_reference(provider: str, mode: str) -> None:
    world = _world(mode)
    inputs = _inputs(world, provider, world.now_ms)
    assert inputs[0]
    _assert_same(inputs, _grid(world.now_ms, ("UTC", "Europe/London")))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_list_of_pair_facts_gives_the_document_of_its_table(provider: str) -> None:
    """The entry points take the old list as well (converted once with `as_table`)."""
    world = _world("")
    pairs, campaigns, contacts = _inputs(world, provider, world.now_ms)
    params = ReportParams(world.now_ms, PAST_DAYS, "Europe/London")
    table = as_table(pairs)
    assert as_table(table) is table
    own = {"now": "x"}
    from_list = truth_document(own, pairs, campaigns, params, contacts=contacts)
    from_table = truth_document(own, table, campaigns, params, contacts=contacts)
    assert json.dumps(from_list) == json.dumps(from_table)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_simulators_counts_equal_the_reference(provider: str) -> None:
    """The functions sandbox/benchmark/reports.py imports, on a list as it passes them."""
    world = _world("")
    pairs, _, _ = _inputs(world, provider, world.now_ms)
    for params in _grid(world.now_ms, ("Europe/London", "Asia/Kolkata")):
        for days, span in params.periods():
            names = [("sent", "sent"), ("bounces", "bounces"), ("hard", "hard")]
            rates = list(counts.RATES)
            spans = buckets(span.start, span.end, unit_for_days(days), params.zone)
            assert counts.count_columns(pairs, span, names) == reference.count_columns(
                pairs, span, names
            )
            assert counts.rate_columns(pairs, span, rates) == reference.rate_columns(
                pairs, span, rates
            )
            assert counts.delivery_slots(pairs, span, params.zone) == reference.delivery_slots(
                pairs, span, params.zone
            )
            for kind in HISTOGRAM_KINDS.values():
                assert counts.histogram_counts(pairs, kind, span, spans) == (
                    reference.histogram_counts(pairs, kind, span, spans)
                )


# -- random pairs on the edges --------------------------------------------------------------------


def _edges(params: ReportParams) -> list[int]:
    """Period and bucket bounds of the params, and the local hour starts around them."""
    points: set[int] = set()
    for days, span in params.periods():
        points.update(span)
        for low, high in buckets(span.previous_start, span.end, unit_for_days(days), params.zone):
            points.update((low, high))
    return sorted(points)


def _random_pairs(rng: random.Random, edges: list[int], n: int) -> list[PairFacts]:
    """Pairs of 5 campaigns whose times are edges, an edge +- 1 ms, or anywhere in between; some
    kinds missing, some bounces without a class (hand-made), several events of `EVERY_KINDS`."""

    def at() -> int:
        edge = rng.choice(edges)
        return rng.choice((edge, edge - 1, edge + 1, rng.randint(edges[0], edges[-1])))

    pairs = []
    for i in range(n):
        first = {kind: at() for kind in KINDS if rng.random() < 0.6}
        klass = rng.choice((None, "hard", "soft")) if BOUNCED in first else None
        every: dict[str, list[tuple[int, str | None]]] = {}
        for kind in EVERY_KINDS:
            if kind in first:
                extra = [at() for _ in range(rng.randint(0, 2))]
                every[kind] = [
                    (t, rng.choice(("hard", "soft")) if kind == BOUNCED else None)
                    for t in [first[kind], *extra]
                ]
        pairs.append(PairFacts(f"c{i % 5}", f"r{i}", first, klass, every))
    return pairs


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("alignment", ("calendar", "rolling"))
def test_random_pairs_on_the_edges_equal_the_reference(zone: str, alignment: str) -> None:
    rng = random.Random(f"{zone}{alignment}")
    for as_of in ("2026-03-29T01:00:00", "2026-04-05T15:30:00", "2026-10-25T00:59:59"):
        params = ReportParams(ms(as_of), PAST_DAYS, zone, alignment)
        pairs = _random_pairs(rng, _edges(params), 400)
        campaigns = [
            CampaignFacts("c0", "scheduled", ms(as_of) - 3 * DAY_MS),
            CampaignFacts("c1", None, None),  # the first send
            CampaignFacts("c9", "no pairs", None),  # never listed
            CampaignFacts("c8", "no pairs, scheduled", ms(as_of) - HOUR_MS),
        ]
        _assert_same((pairs, campaigns, [p.first.get("sent", 0) for p in pairs]), [params])


def test_no_pairs_give_the_reference_document() -> None:
    params = ReportParams(ms("2026-03-29T12:00:00"), PAST_DAYS, "Europe/London")
    _assert_same(([], [CampaignFacts("c1", "x", ms("2026-03-29T10:00:00"))], []), [params])


# -- the vectorised pieces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    ("UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
     "Pacific/Chatham"),
)  # fmt: skip
def test_utc_offsets_and_local_hours_equal_pythons(zone: str) -> None:
    """Every time of a year (random, and on each side of every offset change to the ms)."""
    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    low, high = ms("2026-01-01T00:00:00"), ms("2027-01-01T00:00:00")
    times = [rng.randint(low, high) for _ in range(5000)]
    for start, _ in n_buckets(low, 366 * 24, "hour", tz):
        times.extend((start - 1, start, start + 1))
    values = np.array(times, np.int64)
    offsets = [from_ms(t).astimezone(tz).utcoffset() for t in times]
    expected = [o // timedelta(milliseconds=1) for o in offsets if o is not None]
    assert utc_offsets_ms(values, tz).tolist() == expected
    hours = [from_ms(t).astimezone(tz).hour for t in times]
    assert local_hours(values, tz).tolist() == hours


def test_from_facts_reads_only_the_histograms_every_kinds() -> None:
    """Hand-made facts may list every event of any kind; only `EVERY_KINDS` are kept."""
    facts = PairFacts("c", "r", {"opened": 5, "sent": 1}, None, {"opened": [(5, None)]})
    table = PairTable.from_facts([facts])
    assert {kind: len(e.at) for kind, e in table.every.items()} == dict.fromkeys(EVERY_KINDS, 0)


def test_as_table_converts_a_list_once_and_a_changed_list_again() -> None:
    """The Benchmark simulator passes one list to several report functions: converted once."""
    pairs = [PairFacts("c", "r", {"sent": 1})]
    table = as_table(pairs)
    assert as_table(pairs) is table and len(table) == 1
    assert as_table(list(pairs)) is not table  # an equal list of its own: its own table
    pairs.append(PairFacts("c", "s", {"sent": 2}))
    assert len(as_table(pairs)) == 2
