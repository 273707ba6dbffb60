"""Maxemail's (campaign, recipient) pairs for the report marts' truth (sandbox.reports.pairs,
whose docstring states Maxemail's mapping) and its campaigns for the overall marts, built with
NumPy straight from the world's columns.

Times are the files' local text read back as UTC (whole seconds; an ambiguous fall-back time
reads as its first instant). Delivery is derived: a pair is delivered when sent and not bounced
(bounces visible at the clock), at its first send. `opened` is the `opened` row's time, the
latest visible open; `clicked` the first visible click (the `responded` row); `feedback`
unsubscribes are complaints.
"""

from __future__ import annotations

from datetime import tzinfo

import numpy as np

from sandbox.maxemail.model import MaxemailWorld
from sandbox.maxemail.visible import Visible, who_rank, who_texts
from sandbox.reports import pairs as kinds
from sandbox.reports.overall import CampaignFacts
from sandbox.reports.pairs import PairFacts
from sandbox.reports.table import (
    CLASS_NAMES,
    HARD,
    KIND_INDEX,
    NEVER,
    NO_BOUNCE,
    SOFT,
    EveryEvents,
    PairTable,
)


def pair_table(
    world: MaxemailWorld, now_ms: int, zone: tzinfo, seen: Visible | None = None
) -> PairTable:
    """The pairs at the clock as a `PairTable`, rows in (campaign id, recipient) text order."""
    seen = seen or Visible(world, now_ms, zone)
    keys, inverse = np.unique(seen.pair, return_inverse=True)
    inverse = inverse.ravel()
    span = 2 * max(len(world.recipients), 1)
    message, who = keys // span, keys % span
    ids = [str(m.email_id) for m in world.messages]
    campaign_ids = tuple(sorted({ids[i] for i in np.unique(message).tolist()}))
    campaign_of_message = np.array(
        [campaign_ids.index(i) if i in campaign_ids else -1 for i in ids]
    )
    campaign = campaign_of_message[message] if len(keys) else np.zeros(0, np.int64)
    # from_facts numbers recipients by their sorted texts among the pairs'
    ranks = who_rank(world)[who]
    _, recipient = np.unique(ranks, return_inverse=True)
    order = np.lexsort((ranks, campaign))
    row = np.empty(len(keys), np.int64)
    row[order] = np.arange(len(keys))
    at_row = row[inverse]
    read_back_ms = seen.read_back_s * 1000

    first = np.full((len(keys), len(kinds.KINDS)), NEVER, np.int64)

    def earliest(kind: str, mask: np.ndarray, at_ms: np.ndarray) -> None:
        np.minimum.at(first[:, KIND_INDEX[kind]], at_row[mask], at_ms[mask])

    sent, bounce, opened = seen.of("sent"), seen.of("bounce"), seen.of("open")
    feedback = seen.feedback()
    earliest(kinds.SENT, sent, read_back_ms)
    earliest(kinds.BOUNCED, bounce, read_back_ms)
    earliest(kinds.UNSUBSCRIBED, seen.of("unsubscribe") & ~feedback, read_back_ms)
    earliest(kinds.COMPLAINED, feedback, read_back_ms)
    earliest(kinds.CLICKED, seen.of("click"), read_back_ms)
    latest_open = np.full(len(keys), -1, np.int64)
    np.maximum.at(latest_open, at_row[opened], seen.at_s[opened])
    has_open = latest_open >= 0
    first[has_open, KIND_INDEX[kinds.OPENED]] = seen.clock.read_back_s(latest_open[has_open]) * 1000
    delivered = (first[:, KIND_INDEX[kinds.SENT]] != NEVER) & (
        first[:, KIND_INDEX[kinds.BOUNCED]] == NEVER
    )
    first[delivered, KIND_INDEX[kinds.DELIVERED]] = first[delivered, KIND_INDEX[kinds.SENT]]

    hard = bounce & seen.bounce_hard[seen.detail]
    bounce_class = np.full(len(keys), NO_BOUNCE, np.int8)
    bounce_class[at_row[bounce]] = SOFT
    bounce_class[at_row[hard]] = HARD

    def every(mask: np.ndarray, klass: np.ndarray) -> EveryEvents:
        events = np.flatnonzero(mask)
        events = events[np.argsort(at_row[events], kind="stable")]
        return EveryEvents(at_row[events], read_back_ms[events], klass[events].astype(np.int8))

    no_class = np.full(len(seen.kind), NO_BOUNCE, np.int8)
    delivered_rows = np.flatnonzero(delivered)
    return PairTable(
        campaign_ids=campaign_ids,
        campaign=campaign[order].astype(np.int32),
        recipient=recipient[order].astype(np.int64),
        first=first,
        bounce_class=bounce_class,
        every={
            kinds.SENT: every(sent, no_class),
            kinds.DELIVERED: EveryEvents(
                delivered_rows,
                first[delivered_rows, KIND_INDEX[kinds.DELIVERED]],
                np.full(len(delivered_rows), NO_BOUNCE, np.int8),
            ),
            kinds.BOUNCED: every(bounce, np.where(hard, HARD, SOFT)),
        },
    )


def pairs(
    world: MaxemailWorld, now_ms: int, zone: tzinfo, seen: Visible | None = None
) -> list[PairFacts]:
    """The pairs as `PairFacts` (the report functions' list form; small worlds)."""
    seen = seen or Visible(world, now_ms, zone)
    table = pair_table(world, now_ms, zone, seen)
    keys, _ = np.unique(seen.pair, return_inverse=True)
    span = 2 * max(len(world.recipients), 1)
    ranks = who_rank(world)[keys % span]
    texts = {int(r): t for r, t in zip(ranks, who_texts(world)[keys % span], strict=True)}
    recipients = [texts[r] for r in sorted(texts)]
    facts = [
        PairFacts(
            table.campaign_ids[c],
            recipients[r],
            {
                kind: int(at)
                for kind, at in zip(kinds.KINDS, first.tolist(), strict=True)
                if at != NEVER
            },
            CLASS_NAMES[int(klass)],
        )
        for c, r, first, klass in zip(
            table.campaign, table.recipient, table.first, table.bounce_class, strict=True
        )
    ]
    for kind, events in table.every.items():
        for row, at, klass in zip(events.pair, events.at, events.klass, strict=True):
            facts[row].every.setdefault(kind, []).append((int(at), CLASS_NAMES[int(klass)]))
    return facts


def campaigns(
    world: MaxemailWorld, now_ms: int, zone: tzinfo, seen: Visible | None = None
) -> list[CampaignFacts]:
    """The messages an export mentions (the loader `find`s those), started at `start_ts` (the
    first visible send read back), in the order of their first visible event."""
    seen = seen or Visible(world, now_ms, zone)
    mentioned, first_index = np.unique(seen.message, return_index=True)
    first_send = np.full(len(world.messages), np.iinfo(np.int64).max, np.int64)
    sent = seen.of("sent")
    np.minimum.at(first_send, seen.message[sent], seen.at_s[sent])
    result = []
    for i in mentioned[np.argsort(first_index)].tolist():
        at_s = int(first_send[i])
        started = None
        if at_s != np.iinfo(np.int64).max:
            started = int(seen.clock.read_back_s(np.array([at_s], np.int64))[0]) * 1000
        result.append(
            CampaignFacts(str(world.messages[i].email_id), world.messages[i].name, started)
        )
    return result
