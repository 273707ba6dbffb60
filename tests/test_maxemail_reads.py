"""Maxemail's truth of reads at several clocks (sandbox/maxemail/reads.py, CONTRACTS 5.3 and 9):
a warehouse that read the `opened` file at t1 < … < tn holds, per pair, the latest open of each
read, so its first open is the minimum over reads of the latest open visible at each read, and its
first human open (issue 16) the earliest of those that is a human's; the rest of the truth does
not depend on the reads, and one read at the clock is today's truth."""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import requests

from sandbox import SandboxServer
from sandbox.config import WorldConfig, world_config
from sandbox.maxemail import truth as mxm_truth
from sandbox.maxemail.model import OPEN, MaxemailWorld
from sandbox.maxemail.reads import held_first_open, read_clocks
from sandbox.providers import PROVIDERS
from sandbox.reports import pairs as kinds
from sandbox.reports.pairs import PairFacts, read_back_ms
from sandbox.timeutil import from_ms, rfc3339
from sandbox.world import World

SMALL: dict[str, Any] = {"recipients": 300, "campaigns": 4}
HOUR_MS = 3_600_000
# the clock advances (hours) of each read: the last campaign is sent about 113 h after the
# initial clock, so its opens come in between these reads
READS = ((120.0, 168.0), (100.0, 118.0, 121.0, 200.0))


def _world(*modes: str) -> tuple[World, MaxemailWorld]:
    world = World(world_config(*modes, **SMALL), providers=[PROVIDERS["maxemail"]])
    return world, world.parts["maxemail"]


def _first_opens_of_records(
    world: MaxemailWorld, clocks: tuple[int, ...], zone: ZoneInfo
) -> dict[tuple[str, str], tuple[int, int | None]]:
    """Per pair, one event at a time: the minimum over reads of the latest open visible at each
    read (what the warehouse's `opened` rows of those reads give), and the earliest of those rows
    whose open is a human's (issue 16: a human open at that second wins a tie; None when none),
    read back as UTC ms."""
    latest: dict[tuple[str, str], dict[int, int]] = {}
    human_at: dict[tuple[str, str], set[int]] = {}
    for event, machine in zip(world.events, world.columns.machine.tolist(), strict=True):
        if event.kind != OPEN:
            continue
        pair = (str(event.message.email_id), event.address.lower())
        if machine == 0:
            human_at.setdefault(pair, set()).add(event.at_s)
        for read, clock in enumerate(clocks):
            if event.available_ms < clock:
                seen = latest.setdefault(pair, {})
                seen[read] = max(event.at_s, seen.get(read, event.at_s))
    result = {}
    for pair, at in latest.items():
        human = [t for t in at.values() if t in human_at.get(pair, set())]
        first_human = read_back_ms(min(human), zone) if human else None
        result[pair] = (read_back_ms(min(at.values()), zone), first_human)
    return result


@pytest.mark.parametrize(
    ("modes", "zone", "advances"),
    [
        ((), "Europe/London", READS[0]),
        ((), "Australia/Sydney", READS[1]),
        (("no_clicks",), "America/New_York", READS[1]),
    ],
)
def test_first_open_is_the_minimum_over_reads_of_the_latest_visible_open(
    modes: tuple[str, ...], zone: str, advances: tuple[float, ...]
) -> None:
    world, part = _world(*modes)
    start, tz = world.now_ms, ZoneInfo(zone)
    clocks = tuple(start + round(h * HOUR_MS) for h in advances)
    now = clocks[-1]
    single = mxm_truth.pairs(part, now, tz)
    several = mxm_truth.pairs(part, now, tz, reads=clocks)
    expected_opens = _first_opens_of_records(part, clocks, tz)

    def with_open(facts: PairFacts) -> PairFacts:
        moving = (kinds.OPENED, kinds.HUMAN_OPENED)
        first = {k: v for k, v in facts.first.items() if k not in moving}
        at = expected_opens.get((facts.campaign_id, facts.recipient))
        if at is not None:
            first[kinds.OPENED] = at[0]
            if at[1] is not None:
                first[kinds.HUMAN_OPENED] = at[1]
        return dataclasses.replace(facts, first=first)

    assert several == [with_open(f) for f in single]
    moved = sum(
        a.first.get(kinds.OPENED) != b.first.get(kinds.OPENED)
        for a, b in zip(single, several, strict=True)
    )
    assert moved > 0, "no pair's latest open moved between the reads: the test proves nothing"


def test_only_the_report_marts_depend_on_the_reads() -> None:
    world, part = _world()
    zone = ZoneInfo("Europe/London")
    first = world.now_ms + 120 * HOUR_MS
    world.advance(168)
    query = {"timezone": "Europe/London", "past_days": "1,7,30"}
    single = mxm_truth.truth(part, world.now_ms, zone, query)
    # the clock alone (and a repeated read) is one read at the clock: today's truth
    now_text = rfc3339(from_ms(world.now_ms))
    assert mxm_truth.truth(part, world.now_ms, zone, {**query, "reads": now_text}) == single
    both = mxm_truth.truth(
        part, world.now_ms, zone, {**query, "reads": f"{rfc3339(from_ms(first))},{now_text}"}
    )
    same = ("campaign_report", "event_counts", "link_activity", "suppressions", "now")
    assert all(both[k] == single[k] for k in same)
    assert {k for k in single if both[k] != single[k]} & {"histogram", "engagement", "dashboard"}


def test_read_clocks_sorted_distinct_and_ending_at_the_clock() -> None:
    now = 1_780_000_000_000
    assert read_clocks(None, now) == (now,)
    assert read_clocks({"reads": ""}, now) == (now,)
    earlier = rfc3339(from_ms(now - HOUR_MS))
    earliest = rfc3339(from_ms(now - 2 * HOUR_MS))
    assert read_clocks({"reads": f"{earlier}, {earliest},{earlier}"}, now) == (
        now - 2 * HOUR_MS,
        now - HOUR_MS,
        now,
    )
    with pytest.raises(ValueError, match="after the world clock"):
        read_clocks({"reads": rfc3339(from_ms(now + 1000))}, now)
    with pytest.raises(ValueError, match="RFC 3339"):
        read_clocks({"reads": "2026-05-01"}, now)


def test_held_first_open_takes_the_latest_open_of_the_pairs_first_read() -> None:
    # pair 1: opens seen by reads 1, 0, 0 -> latest of read 0's; pair 2: only read 1's
    keys = np.array([1, 1, 1, 2, 2], np.int64)
    at_s = np.array([50, 10, 20, 30, 40], np.int64)
    read = np.array([1, 0, 0, 1, 1], np.int64)
    pairs, first = held_first_open(keys, at_s, read)
    assert pairs.tolist() == [1, 2] and first.tolist() == [20, 40]
    empty = np.zeros(0, np.int64)
    assert [a.tolist() for a in held_first_open(empty, empty, empty)] == [[], []]


def test_the_served_truth_takes_reads_and_refuses_bad_ones() -> None:
    server = SandboxServer(WorldConfig(**SMALL))
    server.start()
    try:
        url = f"{server.url}/_sandbox/truth/maxemail"
        now = requests.get(f"{server.url}/_sandbox/clock", timeout=10).json()["now"]
        earlier = rfc3339(from_ms(server.world.now_ms - 24 * HOUR_MS))
        assert requests.get(url, params={"reads": f"{earlier},{now}"}, timeout=60).ok
        later = rfc3339(from_ms(server.world.now_ms + HOUR_MS))
        for bad in (later, "yesterday"):
            response = requests.get(url, params={"reads": bad}, timeout=60)
            assert response.status_code == 400, bad
    finally:
        server.stop()
