"""Benchmark Email's columnar world (sandbox.benchmark.store): a part built in forked processes
serves the same bytes and truth as one built in process; the records rendered from fragments are
what `json.dumps` writes of the records' dicts; the `PairTable`, the link activity and the
suppressions computed with arrays equal the definitions' own functions applied to one Python
object per event (sandbox.reports.pairs, sandbox.reports.marts)."""

from __future__ import annotations

import json
import multiprocessing.pool
import pickle
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import requests

import sandbox.server
import sandbox.world
from sandbox import SandboxServer, World, WorldConfig
from sandbox.benchmark.contacts import contact_record
from sandbox.benchmark.digest import Digest
from sandbox.benchmark.marts import link_activity, suppressions
from sandbox.benchmark.model import BOUNCED, CANONICAL, CLICKED, COMPLAINT, UNSUBSCRIBED
from sandbox.benchmark.pairs import pair_table
from sandbox.benchmark.render import contact_records, event_records
from sandbox.benchmark.store import BenchmarkWorld
from sandbox.config import world_config
from sandbox.providers import PROVIDERS
from sandbox.reports import marts
from sandbox.reports.pairs import KINDS, PairDigest
from sandbox.reports.table import PairTable
from sandbox.timeutil import naive_ms
from tests.conftest import SMALL_WORLD

KEY = {"X-API-Key": "bme_sandbox_all"}
MODES = [(), ("no_clicks",), ("no_contacts",)]


def world_of(*modes: str, **settings: Any) -> World:
    return World(world_config(*modes, **{**SMALL_WORLD, **settings}))


def clocks(world: World) -> Iterator[int]:
    """The initial clock, then after a day, two weeks and the timeline's end."""
    yield world.now_ms
    for hours in (24, 14 * 24, 40 * 24):
        world.advance(hours)
        yield world.now_ms


# -- what the sandbox serves --------------------------------------------------------------------


def served(url: str) -> list[bytes]:
    """Status and body of a sequence of listings, reports and truths, at two clocks."""
    bodies: list[bytes] = []
    base = f"{url}/benchmark/api"

    def get(path: str, **params: Any) -> dict[str, Any]:
        response = requests.get(path, params=params, headers=KEY, timeout=30)
        bodies.append(b"%d " % response.status_code + response.content)
        return dict(response.json())

    for _ in range(2):
        requests.post(
            f"{url}/_sandbox/faults", json={"benchmark": {"hourly_limit": 10**6}}, timeout=10
        )
        campaigns = get(f"{base}/email/campaign", size=100)["records"]
        for campaign in campaigns:
            get(f"{base}/reports/email/{campaign['_id']}")
            get(f"{base}/reports/email/{campaign['_id']}/engagement", period="week")
        for days in (1, 30):
            get(f"{base}/reports/email/overall", pastDays=days, timezone="Asia/Kolkata")
            get(f"{base}/reports/dashboard", pastDays=days)
            get(f"{base}/reports/email/overall/histogram", pastDays=days, eventType="email-bounced")
        page, total = 1, 1
        while (page - 1) * 100 < total:
            total = get(f"{base}/contact/events", pastDays=90, page=page, size=100)["total"]
            page += 1
        response = requests.post(
            f"{base}/contact/search", json={"size": 100}, headers=KEY, timeout=30
        )
        bodies.append(response.content)
        for params in ({}, {"past_days": "1,7", "timezone": "Europe/London"}):
            bodies.append(
                requests.get(f"{url}/_sandbox/truth/benchmark", params=params, timeout=60).content
            )
        requests.post(f"{url}/_sandbox/clock", json={"advance_hours": 72}, timeout=10)
    return bodies


def test_a_part_built_in_forked_processes_serves_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Benchmark's part built in another process (pickled back without the audience, which the
    parent re-attaches) serves what the part built in process serves. Benchmark and a twin of it
    are the registry, so that the world forks (one process per part)."""
    twin = replace(PROVIDERS["benchmark"], name="benchmark_twin")
    registry = {"benchmark": PROVIDERS["benchmark"], "benchmark_twin": twin}
    monkeypatch.setattr(sandbox.world, "PROVIDERS", registry)
    monkeypatch.setattr(sandbox.server, "PROVIDERS", registry)
    config = WorldConfig(**SMALL_WORLD)
    with SandboxServer(config) as server:
        in_process = served(server.url)
    monkeypatch.setattr(sandbox.world, "PARALLEL_FROM", 0)  # fork whatever the size
    forks = []
    real_pool = multiprocessing.pool.Pool.__init__

    def pool(self: Any, processes: int | None = None, *args: Any, **kwargs: Any) -> None:
        forks.append(processes)
        real_pool(self, processes, *args, **kwargs)

    monkeypatch.setattr(multiprocessing.pool.Pool, "__init__", pool)
    with SandboxServer(config) as server:
        part = server.world.parts["benchmark"]
        assert len(part.recipients) == SMALL_WORLD["recipients"]  # the audience re-attached
        forked = served(server.url)
    assert forks == [2]
    assert len(forked) > 50
    assert forked == in_process


def test_the_forked_workers_leave_before_the_pool_is_terminated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pool closes and joins its workers: none is left for the pool's exit to kill with
    SIGTERM, which a worker never gets when its parent ignores SIGTERM (the pool then hung:
    2 builds in 40 under an ignored SIGTERM before, none after)."""
    monkeypatch.setattr(sandbox.world, "PARALLEL_FROM", 0)  # fork whatever the size
    alive: list[bool] = []
    real_terminate = multiprocessing.pool.Pool.terminate

    def terminate(self: Any) -> None:
        alive.extend(worker.is_alive() for worker in self._pool)
        real_terminate(self)

    monkeypatch.setattr(multiprocessing.pool.Pool, "terminate", terminate)
    world = World(WorldConfig(**SMALL_WORLD))
    assert set(world.parts) == set(sandbox.world.PROVIDERS)
    assert alive and not any(alive), alive


def test_the_part_pickles_without_the_audience() -> None:
    part = world_of().parts["benchmark"]
    copy = pickle.loads(pickle.dumps(part))
    assert copy.recipients == ()  # left out: the parent re-attaches its own
    address = part.recipients[0].address
    assert address.encode() not in pickle.dumps(part)
    copy.recipients = part.recipients
    assert copy.event_records() == part.event_records()


@pytest.mark.parametrize("modes", MODES)
def test_records_rendered_from_fragments_are_json_dumps_of_the_records(
    modes: tuple[str, ...],
) -> None:
    world = world_of(*modes)
    part: BenchmarkWorld = world.parts["benchmark"]
    events = part.event_records()
    rendered = event_records(part, part.order)
    assert len(rendered) == len(events) > 1000
    assert {e.type for e in events} >= {"contact-created", "email-rejected", "email-delayed"}
    for text, event in zip(rendered, events, strict=True):
        assert text == json.dumps(event.record(), ensure_ascii=False)
    digest = Digest(part, world.now_ms)
    contacts = contact_records(part, digest.contact_order, digest.created_at[digest.contact_order])
    for text, index in zip(contacts, digest.contact_order.tolist(), strict=True):
        record = contact_record(int(digest.created_at[index]), part.contact(index))
        assert text == json.dumps(record, ensure_ascii=False)


def test_a_world_built_from_its_own_records_is_the_same_world() -> None:
    part: BenchmarkWorld = world_of().parts["benchmark"]
    contacts = [part.contact(i) for i in range(len(part.recipients))]
    events = part.event_records()
    copy = BenchmarkWorld.from_events(contacts, part.campaigns, events)
    assert copy.event_records() == events


# -- the truth's arrays against the definitions' functions -------------------------------------


def reference_pairs(part: BenchmarkWorld, now_ms: int) -> PairTable:
    """The pairs as sandbox.reports.pairs defines them, one event object at a time."""
    digest = PairDigest()
    for event in part.event_records():
        if event.available_ms >= now_ms or event.campaign is None:
            continue
        campaign_id, contact_id = event.campaign.id, event.contact.contact_id
        if event.type == BOUNCED:
            klass = "hard" if event.field("emailBounceType") == "hard" else "soft"
            digest.bounce(campaign_id, contact_id, event.at_ms, klass)
        elif CANONICAL.get(event.type) in KINDS:
            digest.note(campaign_id, contact_id, CANONICAL[event.type], event.at_ms)
    return PairTable.from_facts(digest.facts())


def assert_tables_equal(got: PairTable, want: PairTable) -> None:
    assert got.campaign_ids == want.campaign_ids
    for name in ("campaign", "recipient", "first", "bounce_class"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    assert got.every.keys() == want.every.keys()
    for kind, events in want.every.items():
        for name in ("pair", "at", "klass"):
            assert np.array_equal(getattr(got.every[kind], name), getattr(events, name)), kind


@pytest.mark.parametrize("modes", MODES)
def test_pair_table_equals_the_pairs_of_the_definitions(modes: tuple[str, ...]) -> None:
    world = world_of(*modes)
    part = world.parts["benchmark"]
    for now_ms in clocks(world):
        table = pair_table(Digest(part, now_ms))
        assert len(table) > 100
        assert_tables_equal(table, reference_pairs(part, now_ms))


def reference_marts(part: BenchmarkWorld, d: Digest) -> dict[str, Any]:
    """The link activity and suppressions of sandbox.reports.marts over one object per event."""
    clicks, stops = [], []
    labels = part.events.machine_labels()[part.order]  # issue 16, in event_records' order
    for event, label in zip(part.event_records(), labels.tolist(), strict=True):
        if event.available_ms >= d.now_ms:
            continue
        key = event.contact.recipient.address.lower()
        campaign_id = event.campaign.id if event.campaign is not None else None
        at = naive_ms(event.at_ms)
        if event.type == CLICKED and event.link is not None and campaign_id is not None:
            clicks.append(
                marts.Click(
                    campaign_id, event.link.url, key, 1, event.link.id, None, at, label != 0
                )
            )
        elif event.type == BOUNCED:
            hard = event.field("emailBounceType") == "hard"
            stops.append(
                marts.Suppression(
                    key, marts.HARD_BOUNCE if hard else marts.SOFT_BOUNCE, at, campaign_id
                )
            )
        elif event.type in (COMPLAINT, UNSUBSCRIBED):
            kind = marts.COMPLAINED if event.type == COMPLAINT else marts.UNSUBSCRIBED
            stops.append(marts.Suppression(key, kind, at, campaign_id))
    listed = [
        marts.ListedLink(c.id, link.id, link.url)
        for c in part.campaigns
        if d.campaign_status(c) in ("sent", "sending")
        for link in c.listed_links
    ]
    return marts.marts_truth(clicks, stops, listed, human=True)


def test_link_activity_and_suppressions_equal_the_definitions() -> None:
    world = world_of(recipients=400)  # enough soft bounces for repeated ones
    part = world.parts["benchmark"]
    reasons = set()
    for now_ms in clocks(world):
        digest = Digest(part, now_ms)
        want = reference_marts(part, digest)
        assert link_activity(digest) == want["link_activity"]
        assert suppressions(digest) == want["suppressions"]
        reasons |= {row["reason"] for row in want["suppressions"]}
    assert reasons == {"hard_bounce", "repeated_soft_bounce", "unsubscribed", "complained"}
