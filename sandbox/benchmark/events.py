"""Benchmark Email contacts, campaigns and contact events of the synthetic world
(PROVIDERS.md section 4, docs/CONTRACTS.md 7.1).

The world's recipients are Benchmark contacts (a 24-hex `contactId` each). Most were imported
before the timeline starts (no event); the rest are created during it (a `contact-created`
event). Campaigns (24-hex `_id`): historical sends spread over the 80 days before the initial
world clock, one scheduled two days after it, one later in the timeline, and one draft. A send
goes to the contacts that exist and are not suppressed (unsubscribed, complained, hard-bounced)
at its time, then draws per contact: `email-rejected`, or `email-sent` followed by a bounce
(hard or soft, SES-like sub-types and diagnostic codes; soft bounces sometimes repeat or turn
hard) or a delivery (sometimes after an `email-delayed`), opens, clicks on the campaign's links,
`contact-unsubscribed` and `email-complaint`. The first campaign's content also has its first URL
again in the footer under another link id (clicked every second time that URL is) and a link
nobody clicks; `linkActivity` lists them all (CONTRACTS.md 8).

Times are epoch ms (milliseconds are random); an event is visible, i.e. served and counted, once
`available_ms < world clock` (a small ingestion delay, sometimes hours of late indexing).

Everything is drawn from its own `random.Random(f"{seed}:benchmark")`, never from the APSIS or
Maxemail generators, so those worlds stay byte-identical. The part is stored in columns
(sandbox.benchmark.store).
"""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np

from sandbox.audience import Recipient
from sandbox.benchmark.journeys import Factory, between, object_id
from sandbox.benchmark.model import DRAFT, HISTORICAL, LATER, SOON, BmeCampaign
from sandbox.benchmark.store import BenchmarkWorld, Contacts, Events
from sandbox.config import WorldConfig
from sandbox.plugin import Ground
from sandbox.timeutil import DAY_MS, HOUR_MS, to_ms

HISTORY_DAYS = 80  # historical sends fall in the 80 days before the initial clock
IMPORTED_SHARE = 0.7  # contacts imported before the timeline (no contact-created event)


def generate_part(ground: Ground) -> BenchmarkWorld:
    """Benchmark's part of the world (sandbox.plugin): events up to the timeline's end, campaigns
    planned around the initial world clock."""
    return generate(ground.config, ground.audience.recipients, ground.start, ground.clock_start)


def generate(
    cfg: WorldConfig, recipients: tuple[Recipient, ...], start: datetime, now: datetime
) -> BenchmarkWorld:
    """Every Benchmark contact, campaign and contact event (deterministic from the config)."""
    rng = random.Random(f"{cfg.seed}:benchmark")
    start_ms, now_ms = to_ms(start), to_ms(now)
    end_ms = start_ms + cfg.days * DAY_MS
    ids, created, imported = _contacts(
        rng, len(recipients), start_ms, min(now_ms + 20 * DAY_MS, end_ms)
    )
    factory = Factory(rng, cfg, end_ms, created)
    for contact in np.flatnonzero(~imported).tolist():
        factory.contact_created(contact)
    count = cfg.campaigns if cfg.benchmark_campaigns is None else cfg.benchmark_campaigns
    campaigns: list[BmeCampaign] = []
    for kind, scheduled in _plans(rng, count, start_ms, now_ms, end_ms):
        campaigns.append(factory.campaign(kind, scheduled, len(campaigns), now_ms))
    contacts = Contacts(ids, created, imported, factory.import_no, factory.trigger_user)
    return BenchmarkWorld(
        contacts,
        tuple(campaigns),
        _events(factory),
        recipients,
        contacts_listed=cfg.benchmark_contacts_listed,
    )


def _events(factory: Factory) -> Events:
    """The factory's columns as NumPy arrays (module sandbox.benchmark.store)."""
    at = np.array(factory.at, np.int64)
    delay = np.array(factory.delay, np.int64)
    if len(delay) == 0 or delay.max() < 2**31:
        delay = delay.astype(np.int32)
    code = np.array(factory.code, np.uint16)
    starts = np.array(factory.journey_start, np.int64)
    sizes = np.diff(np.append(starts, len(at)))
    return Events(
        at=at,
        delay=delay,
        type=(code & 15).astype(np.uint8),
        detail=(code >> 4).astype(np.uint8),
        journey=np.repeat(np.arange(len(starts), dtype=np.int32), sizes),
        journey_campaign=np.array(factory.journey_campaign, np.int32),
        journey_contact=np.array(factory.journey_contact, np.int32),
        machine=_machine(factory, len(at)),
    )


def _machine(factory: Factory, n: int) -> np.ndarray | None:
    """The dense truth labels, None when the world has no machine event (as before issue 16)."""
    if not len(factory.machine_idx):
        return None
    out = np.zeros(n, np.int8)
    out[np.frombuffer(factory.machine_idx, np.int64)] = np.frombuffer(
        factory.machine_label, np.int8
    )
    return out


def _contacts(
    rng: random.Random, count: int, start_ms: int, last_ms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Contact ids (`S24`), creation ms and the imported flag, one per recipient."""
    ids, created, imported = [], [], []
    for _ in range(count):
        was_imported = rng.random() < IMPORTED_SHARE
        if was_imported:
            at = start_ms - between(rng, DAY_MS, 400 * DAY_MS)
        else:
            at = between(rng, start_ms, max(last_ms, start_ms))
        ids.append(object_id(rng, at).encode())
        created.append(at)
        imported.append(was_imported)
    return np.array(ids, "S24"), np.array(created, np.int64), np.array(imported, bool)


def _plans(
    rng: random.Random, count: int, start_ms: int, now_ms: int, end_ms: int
) -> list[tuple[str, int | None]]:
    """(kind, scheduled ms) per campaign, historical sends first, in send order."""
    tail = (SOON, DRAFT, LATER)[: min(max(count, 0), 3)]
    historical = max(count - len(tail), 0)
    low = max(start_ms, now_ms - HISTORY_DAYS * DAY_MS)
    slot = (now_ms - DAY_MS - low) / max(historical, 1)
    plans: list[tuple[str, int | None]] = []
    for i in range(historical):
        at = low + int(i * slot + rng.uniform(0.05, 0.8) * slot)
        plans.append((HISTORICAL, at - at % HOUR_MS + between(rng, 0, 59) * 60_000))
    for kind in tail:
        if kind == SOON:
            plans.append((SOON, now_ms - now_ms % DAY_MS + 2 * DAY_MS + 9 * HOUR_MS))
        elif kind == LATER:
            at = min(now_ms + 20 * DAY_MS, end_ms - DAY_MS)
            plans.append((LATER, at - at % DAY_MS + 14 * HOUR_MS + 30 * 60_000))
        else:
            plans.append((DRAFT, None))
    return plans
