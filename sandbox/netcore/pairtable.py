"""Netcore's (campaign, recipient) pairs as a `PairTable` (sandbox.reports.table), straight from the
columns: the mapping of `sandbox.netcore.truth.pairs` (each message in its state at the clock,
sent at `requestedTime`, delivered at `deliveryTime`, opens and clicks at their times, a bounce,
unsubscribe or spam report at `modifiedTime`, times read back from the account-local text), with
rows, campaign indices and recipient codes as `PairTable.from_facts` of those pairs makes them
(rows by campaign id, then lower-cased address; codes the ranks of the addresses present)."""

from __future__ import annotations

from datetime import tzinfo

import numpy as np

from sandbox.machines import machine_ip
from sandbox.netcore.facts import event_index, keys, read_back_ms, seen
from sandbox.netcore.model import SPAM, UNSUBSCRIBE
from sandbox.netcore.store import STATUS_CODE, NetcoreWorld
from sandbox.reports import pairs as kinds
from sandbox.reports.table import HARD, KIND_INDEX, NEVER, NO_BOUNCE, SOFT, EveryEvents, PairTable

_KEY_SPACE = 1 << 32
# bounce class code (sandbox.netcore.facts.CLASSES) -> the table's: hard, else soft
_TABLE_CLASS = np.array([NO_BOUNCE, HARD, SOFT, SOFT, SOFT], np.int8)


HUMAN_KIND = {kinds.OPENED: kinds.HUMAN_OPENED, kinds.CLICKED: kinds.HUMAN_CLICKED}


def pair_table(world: NetcoreWorld, now_ms: int, zone: tzinfo) -> PairTable:
    """The report marts' pairs of the world at the clock, in the account's timezone `zone`."""
    facts = seen(world, now_ms)
    states, klass = facts.states, facts.klass
    status = states.status
    delivered = states.delivered_s >= 0
    bounced = klass > 0
    unsubscribed = ~bounced & (status == STATUS_CODE[UNSUBSCRIBE])
    complained = ~bounced & (status == STATUS_CODE[SPAM])
    has = (
        states.sent | delivered | (states.opens > 0) | (states.clicks > 0) | bounced
        | unsubscribed | complained
    )  # fmt: skip
    ids = [c.id for c in world.campaigns]
    present = sorted({ids[c] for c in np.unique(facts.campaign[has]).tolist()})
    position = np.full(len(ids), -1, np.int64)
    for i, campaign_id in enumerate(present):
        position[[c for c, name in enumerate(ids) if name == campaign_id]] = i
    key_rank = keys(world)[2][facts.key]
    order_key = position[facts.campaign] * _KEY_SPACE + key_rank
    pairs, row = np.unique(order_key[has], return_inverse=True)
    rows = np.full(len(states), -1, np.int64)
    rows[has] = row
    n = len(pairs)
    recipients = np.unique(pairs % _KEY_SPACE, return_inverse=True)[1].astype(np.int64)
    first = np.full((n, len(kinds.KINDS)), NEVER, np.int64)
    human = np.full((n, len(kinds.HUMAN_KINDS)), NEVER, np.int64)

    def earliest(kind: str, mask: np.ndarray, at_s: np.ndarray) -> np.ndarray:
        at_ms = read_back_ms(at_s, zone)
        np.minimum.at(first[:, KIND_INDEX[kind]], rows[mask], at_ms)
        return at_ms

    requested = world.requested_s[states.rows]
    sent_ms = earliest(kinds.SENT, states.sent, requested[states.sent])
    delivered_ms = earliest(kinds.DELIVERED, delivered, states.delivered_s[delivered])
    for kind, starts, at, counts in (
        (kinds.OPENED, world.open_start, world.open_at, states.opens),
        (kinds.CLICKED, world.click_start, world.click_at, states.clicks),
    ):
        owner, index = event_index(starts, states.rows, counts)
        at_ms = read_back_ms(at[index], zone)
        np.minimum.at(first[:, KIND_INDEX[kind]], rows[owner], at_ms)
        # the first human open / click (issue 16): a machine's comes from outside the human range
        ips = (world.open_ip if kind == kinds.OPENED else world.click_ip)[index]
        person = ~machine_ip(world.machine_prefixes, ips)
        h = kinds.HUMAN_KINDS.index(HUMAN_KIND[kind])
        np.minimum.at(human[:, h], rows[owner[person]], at_ms[person])
    bounce_ms = earliest(kinds.BOUNCED, bounced, states.modified_s[bounced])
    earliest(kinds.UNSUBSCRIBED, unsubscribed, states.modified_s[unsubscribed])
    earliest(kinds.COMPLAINED, complained, states.modified_s[complained])
    bounce_class = np.zeros(n, np.int8)
    np.maximum.at(bounce_class, rows[bounced], _TABLE_CLASS[klass[bounced]])

    def every(mask: np.ndarray, at_ms: np.ndarray, classes: np.ndarray) -> EveryEvents:
        where = np.flatnonzero(mask)
        order = np.lexsort((where, rows[where]))
        return EveryEvents(rows[where][order], at_ms[order], classes[order].astype(np.int8))

    return PairTable(
        campaign_ids=tuple(present),
        campaign=(pairs // _KEY_SPACE).astype(np.int32),
        recipient=recipients,
        first=first,
        human=human,
        bounce_class=bounce_class,
        every={
            kinds.SENT: every(states.sent, sent_ms, np.zeros(len(sent_ms), np.int8)),
            kinds.DELIVERED: every(delivered, delivered_ms, np.zeros(len(delivered_ms), np.int8)),
            kinds.BOUNCED: every(bounced, bounce_ms, _TABLE_CLASS[klass[bounced]]),
        },
    )
