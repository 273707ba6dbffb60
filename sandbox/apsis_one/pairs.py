"""APSIS One's (campaign, recipient) pairs for the report marts' truth (sandbox.reports.pairs):
visible logical events at their effective time, recipient = lower-cased address, campaign =
main activity; informational bounces are no bounces. `pair_table` builds the columnar
`PairTable` straight from the event columns; `pair_facts` lists the same pairs as `PairFacts`
(what the shared report functions read until they take the table).
"""

from __future__ import annotations

import numpy as np

from sandbox.apsis_one.model import CANONICAL_TYPES, TYPES
from sandbox.apsis_one.visible import Visible, first_per_group
from sandbox.apsis_one.world import ApsisWorld
from sandbox.reports.pairs import EVERY_KINDS, KINDS, PairFacts
from sandbox.reports.table import CLASS_NAMES, NEVER, EveryEvents, PairTable

BOUNCED = TYPES.index("BOUNCED")
# type code -> index in KINDS (every APSIS type maps to a report kind)
KIND_OF_TYPE = np.array([KINDS.index(CANONICAL_TYPES[t]) for t in TYPES], np.int64)


def pair_table(world: ApsisWorld, now_ms: int, visible: Visible | None = None) -> PairTable:
    """The pairs at `now_ms` as a `PairTable`, rows sorted by campaign id then recipient
    address (as `PairTable.from_facts` of the same pairs: recipient codes rank the addresses
    of the pairs)."""
    v = visible or Visible.at_clock(world, now_ms)
    klass = np.where(v.kind == BOUNCED, v.bounce_class(), 0)
    counted = (v.kind != BOUNCED) | (klass > 0)
    campaign_rank = v.campaign_rank[v.campaign[counted]]
    recipient_rank = v.recipient_rank[v.recipient[counted]]
    at, kind, klass = v.at[counted], KIND_OF_TYPE[v.kind[counted]], klass[counted]
    present_campaigns, campaign = np.unique(campaign_rank, return_inverse=True)
    present_recipients, recipient = np.unique(recipient_rank, return_inverse=True)
    keys = campaign.astype(np.int64) * max(len(present_recipients), 1) + recipient
    pair_keys, pair = np.unique(keys, return_inverse=True)
    n = len(pair_keys)
    first = np.full((n, len(KINDS)), NEVER, np.int64)
    for k in range(len(KINDS)):
        events = np.flatnonzero(kind == k)
        firsts = events[first_per_group(pair[events], at[events])]
        first[pair[firsts], k] = at[firsts]
    bounce_class = np.zeros(n, np.int8)
    np.maximum.at(bounce_class, pair, klass.astype(np.int8))
    every = {}
    for name in EVERY_KINDS:
        events = np.flatnonzero(kind == KINDS.index(name))
        events = events[np.argsort(pair[events], kind="stable")]
        every[name] = EveryEvents(
            pair[events].astype(np.int64), at[events].astype(np.int64), klass[events]
        )
    ids_by_rank = sorted(v.campaign_ids)
    return PairTable(
        campaign_ids=tuple(ids_by_rank[r] for r in present_campaigns.tolist()),
        campaign=(pair_keys // max(len(present_recipients), 1)).astype(np.int32),
        recipient=(pair_keys % max(len(present_recipients), 1)).astype(np.int64),
        first=first,
        bounce_class=bounce_class,
        every=every,
    )


def pair_facts(world: ApsisWorld, now_ms: int, visible: Visible | None = None) -> list[PairFacts]:
    """The same pairs as a list of `PairFacts` (sorted by campaign id and address)."""
    v = visible or Visible.at_clock(world, now_ms)
    table = pair_table(world, now_ms, v)
    keys_by_rank = sorted(v.recipient_keys)
    counted_recipients = np.unique(
        v.recipient_rank[v.recipient[(v.kind != BOUNCED) | (v.bounce_class() > 0)]]
    )
    addresses = [keys_by_rank[r] for r in counted_recipients.tolist()]
    facts = [
        PairFacts(table.campaign_ids[c], addresses[r])
        for c, r in zip(table.campaign.tolist(), table.recipient.tolist(), strict=True)
    ]
    for k, kind in enumerate(KINDS):
        column = table.first[:, k]
        for row in np.flatnonzero(column != NEVER).tolist():
            facts[row].first[kind] = int(column[row])
    for row, code in enumerate(table.bounce_class.tolist()):
        if code:
            facts[row].bounce_class = CLASS_NAMES[code]
    for kind in EVERY_KINDS:
        events = table.every[kind]
        for row, at, code in zip(
            events.pair.tolist(), events.at.tolist(), events.klass.tolist(), strict=True
        ):
            facts[row].every.setdefault(kind, []).append((at, CLASS_NAMES[code]))
    return facts

