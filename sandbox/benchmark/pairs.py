"""Benchmark Email's (campaign, contact) pairs at the Digest's clock as a `PairTable`
(sandbox.reports.table), built from the world's columns: the pairs with a visible campaign contact
event of a canonical kind (CONTRACTS 7.3: sent, delivered, opened, clicked, bounced, unsubscribed,
complained), rows ordered by (campaign id, contact id), recipient codes in contact id order; a
bounce is hard when its `emailBounceType` is `hard`, and a pair is hard when any of its bounces is.
The simulator's reports (sandbox.benchmark.reports) and the report truth read the same table.
"""

from __future__ import annotations

import numpy as np

from sandbox.benchmark.digest import Digest, hard_details, ranks
from sandbox.benchmark.model import (
    BOUNCED,
    CLICKED,
    COMPLAINT,
    DELIVERED,
    OPENED,
    SENT,
    TYPE_CODE,
    UNSUBSCRIBED,
)
from sandbox.benchmark.store import BenchmarkWorld
from sandbox.reports import pairs as kinds
from sandbox.reports.pairs import EVERY_KINDS, HUMAN_KINDS, KINDS, PairFacts
from sandbox.reports.table import CLASS_NAMES, HARD, NEVER, NO_BOUNCE, SOFT, EveryEvents, PairTable

# canonical kind → the Benchmark contact event type that maps to it
KIND_TYPES = {
    kinds.SENT: SENT,
    kinds.DELIVERED: DELIVERED,
    kinds.OPENED: OPENED,
    kinds.CLICKED: CLICKED,
    kinds.BOUNCED: BOUNCED,
    kinds.UNSUBSCRIBED: UNSUBSCRIBED,
    kinds.COMPLAINED: COMPLAINT,
}


def pair_table(d: Digest) -> PairTable:
    """The pairs visible at the Digest's clock (computed once per Digest)."""
    table: PairTable = d.cached("pair_table", lambda: _table(d)[0])
    return table


def pairs(d: Digest) -> list[PairFacts]:
    """The same pairs as `PairFacts` (a Python object per pair: small worlds and tests)."""
    return d.cached("pair_facts", lambda: _facts(d))


def _facts(d: Digest) -> list[PairFacts]:
    table, contacts = _table(d)
    ids = d.world.contacts.ids[contacts].astype(str).tolist()
    result = [
        PairFacts(
            table.campaign_ids[campaign],
            contact_id,
            {k: at for k, at in zip(KINDS + HUMAN_KINDS, first, strict=True) if at != NEVER},
            CLASS_NAMES[klass],
            labelled=True,
        )
        for campaign, contact_id, first, klass in zip(
            table.campaign.tolist(),
            ids,
            np.hstack([table.first] + [table.at(k)[:, None] for k in HUMAN_KINDS]).tolist(),
            table.bounce_class.tolist(),
            strict=True,
        )
    ]
    for kind in EVERY_KINDS:
        events = table.every[kind]
        for row, at, klass in zip(
            events.pair.tolist(), events.at.tolist(), events.klass.tolist(), strict=True
        ):
            result[row].every.setdefault(kind, []).append((at, CLASS_NAMES[klass]))
    return result


def journey_order(world: BenchmarkWorld) -> np.ndarray:
    """Every campaign journey by (campaign id, contact id); clock-independent, cached."""

    def build() -> np.ndarray:
        ev = world.events
        campaign_rank = ranks(np.array([c.id for c in world.campaigns], dtype=object))
        contact_rank = world.cached("contact_rank", lambda: ranks(world.contacts.ids))
        campaigns = ev.journey_campaign
        journeys = np.flatnonzero(campaigns >= 0)
        key = (
            campaign_rank[campaigns[journeys]] * len(contact_rank)
            + contact_rank[ev.journey_contact[journeys]]
        )
        return journeys[np.argsort(key, kind="stable")]

    order: np.ndarray = world.cached("journey_order", build)
    return order


def _table(d: Digest) -> tuple[PairTable, np.ndarray]:
    """The table, and each row's contact index."""
    world, ev = d.world, d.world.events
    n_journeys = len(ev.journey_campaign)
    in_table = np.zeros(n_journeys, bool)
    for name in KIND_TYPES.values():
        in_table[d.firsts[name].journey] = True
    order = journey_order(world)
    rows = order[in_table[order]]
    row_of = np.full(n_journeys, -1, np.int64)
    row_of[rows] = np.arange(len(rows))
    first = np.full((len(rows), len(KINDS)), NEVER, np.int64)
    for k, kind in enumerate(KINDS):
        firsts = d.firsts[KIND_TYPES[kind]]
        first[row_of[firsts.journey], k] = firsts.at
    human = np.full((len(rows), len(HUMAN_KINDS)), NEVER, np.int64)
    for h, name in enumerate((OPENED, CLICKED)):  # HUMAN_KINDS' types (issue 16)
        firsts = d.human_firsts[name]
        human[row_of[firsts.journey], h] = firsts.at
    bounce_class = np.full(len(rows), NO_BOUNCE, np.int8)
    bounce_class[row_of[d.firsts[BOUNCED].journey]] = SOFT
    bounce_class[row_of[d.hard_journeys]] = HARD
    ids = [c.id for c in world.campaigns]
    present, campaign = np.unique(
        ranks(np.array(ids, dtype=object))[ev.journey_campaign[rows]], return_inverse=True
    )
    by_rank = sorted(ids)
    contacts = ev.journey_contact[rows]
    contact_rank = world.cached("contact_rank", lambda: ranks(world.contacts.ids))
    _, recipient = np.unique(contact_rank[contacts], return_inverse=True)
    table = PairTable(
        campaign_ids=tuple(by_rank[r] for r in present.tolist()),
        campaign=campaign.astype(np.int32),
        recipient=recipient.astype(np.int64),
        first=first,
        human=human,
        bounce_class=bounce_class,
        every={kind: _every(d, KIND_TYPES[kind], row_of) for kind in EVERY_KINDS},
    )
    return table, contacts


def _every(d: Digest, name: str, row_of: np.ndarray) -> EveryEvents:
    """Every visible event of a type with a campaign, by pair row then time."""
    ev = d.world.events
    index = np.flatnonzero(d.visible & (ev.type == TYPE_CODE[name]))
    rows = row_of[ev.journey[index]]
    index, rows = index[rows >= 0], rows[rows >= 0]
    order = np.argsort(rows, kind="stable")
    index, rows = index[order], rows[order]
    klass = np.full(len(index), NO_BOUNCE, np.int8)
    if name == BOUNCED:
        klass = np.where(hard_details(d.world)[ev.detail[index]], HARD, SOFT).astype(np.int8)
    return EveryEvents(rows, ev.at[index], klass)
