"""The overall report marts' truth (sandbox/reports/overall.py, docs/CONTRACTS.md 9 and 10.2):
hand-made pairs for the definitions, the Benchmark simulator's own `overall` for agreement."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sandbox import World, WorldConfig
from sandbox.benchmark import reports as bme_reports
from sandbox.benchmark.digest import Digest
from sandbox.benchmark.truth import campaigns as benchmark_campaigns
from sandbox.benchmark.truth import pairs as benchmark_pairs
from sandbox.reports.overall import (
    CampaignFacts,
    campaign_comparison_rows,
    delivery_time_rows,
    overall_rows,
)
from sandbox.reports.pairs import PairFacts
from sandbox.reports.params import ReportParams
from sandbox.timeutil import to_ms
from tests.conftest import SMALL_WORLD

LONDON = ZoneInfo("Europe/London")


def ms(text: str) -> int:
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=UTC))


def pair(campaign: str, recipient: str, **firsts: str) -> PairFacts:
    return PairFacts(campaign, recipient, {k: ms(v) for k, v in firsts.items()})


def test_campaign_comparison_starts_at_the_scheduled_time_else_the_first_send() -> None:
    pairs = [
        pair("c1", "r1", sent="2026-04-30T18:05:00", delivered="2026-04-30T18:06:00"),
        pair("c1", "r2", sent="2026-04-30T18:05:00", delivered="2026-04-30T18:06:00",
             opened="2026-04-30T19:00:00"),
        pair("c2", "r1", sent="2026-04-30T09:00:00", delivered="2026-04-30T09:01:00",
             clicked="2026-04-30T10:00:00"),
        pair("c3", "r1", sent="2026-04-30T20:00:00"),
    ]  # fmt: skip
    campaigns = [
        CampaignFacts("c6", "Twin", ms("2026-04-30T18:00:00")),  # tie with c1: by id
        CampaignFacts("c1", "Spring", ms("2026-04-30T18:00:00")),
        CampaignFacts("c2", "Summer", None),  # no scheduled time: the first send
        CampaignFacts("c3", "Autumn", ms("2026-04-27T10:00:00")),  # the scheduled time wins
        CampaignFacts("c4", "Winter", ms("2026-05-01T00:00:00")),  # at as_of: outside
        CampaignFacts("d1", "Draft", None),  # neither: never listed
    ]
    params = ReportParams(ms("2026-05-01T00:00:00"), (1, 7))
    rows = campaign_comparison_rows(pairs, campaigns, params)
    got = [(r["past_days"], r["campaign_id"], r["comparison_rank"]) for r in rows]
    assert got == [
        (1, "c1", 1), (1, "c6", 2), (1, "c2", 3),
        (7, "c1", 1), (7, "c6", 2), (7, "c2", 3), (7, "c3", 4),
    ]  # fmt: skip
    c1, _, c2 = rows[:3]
    assert (c1["open_rate"], c1["click_rate"], c1["campaign_started_at"]) == (
        50.0,
        0.0,
        "2026-04-30T18:00:00.000",
    )
    assert (c2["open_rate"], c2["click_rate"], c2["campaign_started_at"]) == (
        0.0,
        100.0,
        "2026-04-30T09:00:00.000",
    )


def test_delivery_time_slots_by_local_hour_and_overall_bounces_on_sent() -> None:
    params = ReportParams(ms("2026-03-30T00:00:00"), (1,), "Europe/London")
    pairs = [
        pair("c", "a", sent="2026-03-29T03:29:00", delivered="2026-03-29T03:30:00"),  # 04:30 BST
        pair("c", "b", delivered="2026-03-29T21:30:00", opened="2026-03-29T22:00:00"),  # 22:30
        pair("c", "c", delivered="2026-03-29T20:30:00", opened="2026-03-30T01:00:00"),  # later
    ]
    slots = {r["slot"]: r for r in delivery_time_rows(pairs, params)}
    assert [(slots[s]["delivered_count"], slots[s]["unique_open_count"]) for s in slots] == [
        (1, 0), (0, 0), (1, 0), (1, 1),
    ]  # fmt: skip
    assert slots["night"]["open_rate"] == 100.0
    pairs.append(PairFacts("c", "d", {"sent": ms("2026-03-29T05:00:00"),
                                      "bounced": ms("2026-03-29T05:01:00")}, "hard"))  # fmt: skip
    (row,) = overall_rows(pairs, params)
    # bounces/sent (the OpenAPI): 1 of the 2 pairs sent in the period, not 1 of 3 delivered
    assert (row["bounce_count"], row["hard_bounce_count"], row["bounce_rate"]) == (1, 1, 50.0)
    assert (row["hard_bounce_rate"], row["soft_bounce_rate"]) == (50.0, 0.0)
    assert (row["sent_count"], row["previous_sent_count"], row["sent_count_diff"]) == (2, 0, 100.0)


def test_benchmark_truth_equals_the_simulators_own_overall() -> None:
    world = World(WorldConfig(**SMALL_WORLD))
    digest = Digest(world.parts["benchmark"], world.now_ms)
    pairs, campaigns = benchmark_pairs(digest), benchmark_campaigns(digest)
    for days in (1, 7, 30, 90):
        api = bme_reports.overall(digest, days, LONDON)
        params = ReportParams(digest.now_ms, (days,), "Europe/London")
        (row,) = overall_rows(pairs, params)
        for name, metric in (("sent_count", "sent"), ("bounce_count", "totalBounces"),
                             ("soft_bounce_count", "softBounces"),
                             ("unsubscribe_count", "unsubscribes")):  # fmt: skip
            count = api["stats"][metric]["count"]
            assert (count["value"], count["prev"], count["diff"]) == (
                row[name],
                row[f"previous_{name}"],
                row[f"{name}_diff"],
            )
        for name, metric in (("hard_bounce_rate", "hardBounces"), ("open_rate", "uniqueOpens")):
            rate = api["stats"][metric]["rate"]
            assert (rate["value"], rate["prev"], rate["diff"]) == (
                row[name],
                row[f"previous_{name}"],
                row[f"{name}_diff"],
            )
        slots = delivery_time_rows(pairs, params)
        assert api["deliveryTimeStats"] == {r["slot"]: r["open_rate"] for r in slots}
        mine = campaign_comparison_rows(pairs, campaigns, params)
        assert [(c["_id"], c["rates"]["opens"], c["rates"]["clicks"])
                for c in api["campaignComparison"]] == [
            (r["campaign_id"], r["open_rate"], r["click_rate"]) for r in mine
        ]  # fmt: skip
