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
Maxemail generators, so those worlds stay byte-identical.
"""

from __future__ import annotations

import random
from datetime import datetime

from sandbox.audience import Recipient
from sandbox.benchmark.journeys import Factory, between, object_id
from sandbox.benchmark.model import (
    DRAFT,
    HISTORICAL,
    LATER,
    SOON,
    BenchmarkWorld,
    BmeCampaign,
    BmeContact,
)
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
    contacts = _contacts(rng, recipients, start_ms, min(now_ms + 20 * DAY_MS, end_ms))
    factory = Factory(rng, cfg, end_ms)
    for contact in contacts:
        if not contact.imported:
            factory.contact_created(contact)
    count = cfg.campaigns if cfg.benchmark_campaigns is None else cfg.benchmark_campaigns
    campaigns: list[BmeCampaign] = []
    for kind, scheduled in _plans(rng, count, start_ms, now_ms, end_ms):
        campaigns.append(factory.campaign(kind, scheduled, contacts, len(campaigns), now_ms))
    factory.events.sort(key=lambda e: (e.at_ms, e.seq))
    return BenchmarkWorld(
        tuple(contacts),
        tuple(campaigns),
        factory.events,
        contacts_listed=cfg.benchmark_contacts_listed,
    )


def _contacts(
    rng: random.Random, recipients: tuple[Recipient, ...], start_ms: int, last_ms: int
) -> list[BmeContact]:
    result = []
    for recipient in recipients:
        imported = rng.random() < IMPORTED_SHARE
        if imported:
            created = start_ms - between(rng, DAY_MS, 400 * DAY_MS)
        else:
            created = between(rng, start_ms, max(last_ms, start_ms))
        result.append(BmeContact(object_id(rng, created), recipient, created, imported))
    return result


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
