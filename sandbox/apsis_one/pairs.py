"""APSIS One's (campaign, recipient) pairs for the report marts' truth (sandbox.reports.pairs):
visible logical events at their effective time, recipient = lower-cased address, campaign =
main activity; informational bounces are no bounces. `pair_table` builds the columnar
`PairTable` straight from the event columns; `pair_facts` lists the same pairs as `PairFacts`
(what the shared report functions read until they take the table).
"""

from __future__ import annotations

import numpy as np

from sandbox.apsis_one.model import CANONICAL_TYPES, TYPES
from sandbox.apsis_one.visible import Visible, dense_codes, stable_order
from sandbox.apsis_one.world import ApsisWorld
from sandbox.reports.pairs import EVERY_KINDS, HUMAN_KINDS, HUMAN_OF, KINDS, PairFacts
from sandbox.reports.table import CLASS_NAMES, NEVER, EveryEvents, PairTable

BOUNCED = TYPES.index("BOUNCED")
# type code -> index in KINDS (every APSIS type maps to a report kind)
KIND_OF_TYPE = np.array([KINDS.index(CANONICAL_TYPES[t]) for t in TYPES], np.int8)


def pair_table(world: ApsisWorld, now_ms: int, visible: Visible | None = None) -> PairTable:
    """The pairs at `now_ms` as a `PairTable`, rows sorted by campaign id then recipient
    address (as `PairTable.from_facts` of the same pairs: recipient codes rank the addresses
    of the pairs). The visible events come grouped by pair, so a pair's first time of a kind
    is a segment minimum (`np.minimum.reduceat`); only the pairs are sorted."""
    v = visible or Visible.at_clock(world, now_ms)
    klass = np.where(v.kind == BOUNCED, v.bounce_class(), 0).astype(np.int8)
    counted = (v.kind != BOUNCED) | (klass > 0)  # informational bounces are no bounces
    has = v.pairs_with(counted)
    campaign_rank = v.campaign_rank[v.pair_campaign[has]]
    recipient_rank = v.recipient_rank[v.pair_recipient[has]]
    present_campaigns, campaign = dense_codes(campaign_rank, len(v.campaign_rank))
    present_recipients, recipient = dense_codes(recipient_rank, len(v.recipient_rank))
    people = max(len(present_recipients), 1)
    keys = campaign.astype(np.int64) * people + recipient
    order = stable_order(keys)
    row_of_pair = np.full(v.pairs, -1, np.int64)
    row_of_pair[np.flatnonzero(has)[order]] = np.arange(len(order))
    n = len(order)
    first = np.full((n, len(KINDS)), NEVER, np.int64)
    kind = KIND_OF_TYPE[v.kind]
    every = {}
    human = np.full((n, len(HUMAN_KINDS)), NEVER, np.int64)
    machine = world.columns.machine[v.rows(np.ones(len(v.kind), bool))] != 0
    for h, name in enumerate(HUMAN_KINDS):  # the first human open / click (issue 16)
        events = np.flatnonzero((kind == KINDS.index(HUMAN_OF[name])) & ~machine)
        if len(events):
            pairs = v.pair[events]
            starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
            human[row_of_pair[pairs[starts]], h] = np.minimum.reduceat(v.at[events], starts)
    for k, name in enumerate(KINDS):
        events = np.flatnonzero((kind == k) & counted)
        if not len(events):
            continue
        pairs = v.pair[events]
        starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
        rows = row_of_pair[pairs[starts]]
        first[rows, k] = np.minimum.reduceat(v.at[events], starts)
        if name in EVERY_KINDS:
            rows_of_events = row_of_pair[pairs]
            by_row = stable_order(rows_of_events)
            every[name] = EveryEvents(
                rows_of_events[by_row], v.at[events][by_row].astype(np.int64), klass[events][by_row]
            )
    bounce_class = np.zeros(n, np.int8)
    bounced = v.kind == BOUNCED
    for code in (1, 2):  # soft, then hard (hard beats soft)
        with_class = v.pairs_with(bounced & (klass == code))
        bounce_class[row_of_pair[with_class]] = code
    ids_by_rank = sorted(v.campaign_ids)
    keys = keys[order]
    return PairTable(
        campaign_ids=tuple(ids_by_rank[r] for r in present_campaigns.tolist()),
        campaign=(keys // people).astype(np.int32),
        recipient=(keys % people).astype(np.int64),
        first=first,
        bounce_class=bounce_class,
        every=every,
        human=human,
    )


def pair_facts(world: ApsisWorld, now_ms: int, visible: Visible | None = None) -> list[PairFacts]:
    """The same pairs as a list of `PairFacts` (sorted by campaign id and address)."""
    v = visible or Visible.at_clock(world, now_ms)
    table = pair_table(world, now_ms, v)
    keys_by_rank = sorted(v.recipient_keys)
    counted_recipients = np.unique(
        v.recipient_rank[v.recipient[(v.kind != BOUNCED) | (v.bounce_class() > 0)]]
    )  # the recipients of the table's pairs, by rank
    addresses = [keys_by_rank[r] for r in counted_recipients.tolist()]
    facts = [
        PairFacts(table.campaign_ids[c], addresses[r], labelled=True)
        for c, r in zip(table.campaign.tolist(), table.recipient.tolist(), strict=True)
    ]
    for kind in KINDS + HUMAN_KINDS:
        column = table.at(kind)
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
