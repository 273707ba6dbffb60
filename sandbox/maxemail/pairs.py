"""Maxemail's (campaign, recipient) pairs for the report marts' truth (sandbox.reports.pairs,
whose docstring states Maxemail's mapping) and its campaigns for the overall marts, built with
NumPy straight from the world's columns.

Times are the files' local text read back as UTC (whole seconds; an ambiguous fall-back time
reads as its first instant). Delivery is derived: a pair is delivered when sent and not bounced
(bounces visible at the clock), at its first send. `opened` is the `opened` row's time, the
latest visible open, as a single read at the clock shows it; after reads at several clocks
(`reads`, sandbox.maxemail.reads) the latest open visible at the first read that saw one;
`clicked` the first visible click (the `responded` row); `feedback` unsubscribes are complaints.
"""

from __future__ import annotations

from datetime import tzinfo

import numpy as np

from sandbox.maxemail.human import file_rows
from sandbox.maxemail.model import MaxemailWorld
from sandbox.maxemail.reads import first_read, held_first_open, held_open_rows
from sandbox.maxemail.visible import (
    Visible,
    distinct,
    reduce_runs,
    run_starts,
    who_rank,
    who_texts,
)
from sandbox.reports import pairs as kinds
from sandbox.reports.human import CLICK
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


def _human(
    seen: Visible, pair_of: np.ndarray, row: np.ndarray, open_rows: np.ndarray, open_s: np.ndarray
) -> np.ndarray:
    """`PairTable.human` (issue 16): the earliest of the held `opened` rows (`open_rows`,
    `open_s`: every read's, sandbox.maxemail.reads.held_open_rows) whose open is a human's (the
    event at that time; a human one wins a tie), and the earliest of the human `clicked` and
    `responded` rows."""
    human = np.full((len(row), len(kinds.HUMAN_KINDS)), NEVER, np.int64)
    opens = np.flatnonzero(seen.of("open") & (seen.machine == 0))
    by_time = pair_of[opens].astype(np.int64) << 34 | seen.at_s[opens]
    pair_of_row = np.empty(len(row), np.int64)
    pair_of_row[row] = np.arange(len(row))
    is_human = np.isin(pair_of_row[open_rows] << 34 | open_s, by_time)
    at = seen.clock.read_back_s(open_s[is_human]) * 1000
    np.minimum.at(human[:, 0], open_rows[is_human], at)
    for positions in file_rows(seen)[CLICK]:
        positions = positions[seen.machine[positions] == 0]
        np.minimum.at(human[:, 1], row[pair_of[positions]], seen.read_back_s[positions] * 1000)
    return human


def pair_table(
    world: MaxemailWorld,
    now_ms: int,
    zone: tzinfo,
    seen: Visible | None = None,
    reads: tuple[int, ...] = (),
) -> PairTable:
    """The pairs at the clock as a `PairTable`, rows in (campaign id, recipient) text order;
    `reads`: the clocks (epoch ms, ascending, the last `now_ms`) at which the loader read the
    files (sandbox.maxemail.reads.read_clocks), default one read at the clock."""
    seen = seen or Visible(world, now_ms, zone)
    by_pair = seen.by_pair
    sorted_keys = seen.pair[by_pair]
    new = np.zeros(len(sorted_keys), bool)
    new[run_starts(sorted_keys)] = True
    keys = sorted_keys[new]
    del sorted_keys
    pair_of = np.empty(len(new), np.int32 if len(keys) < 2**31 else np.int64)
    pair_of[by_pair] = np.cumsum(new) - 1  # visible event -> its pair's position
    del new
    span = 2 * max(len(world.recipients), 1)
    message, who = keys // span, keys % span
    ids = [str(m.email_id) for m in world.messages]
    mentioned = np.flatnonzero(np.bincount(message, minlength=len(ids)))
    campaign_ids = tuple(sorted({ids[i] for i in mentioned.tolist()}))
    position = {c: i for i, c in enumerate(campaign_ids)}
    campaign_of_message = np.array([position.get(i, -1) for i in ids], np.int64)
    campaign = campaign_of_message[message]
    # from_facts numbers recipients by their sorted texts among the pairs'
    ranks = who_rank(world)[who]
    present = np.zeros(len(who_rank(world)), bool)
    present[ranks] = True
    recipient = (np.cumsum(present) - 1)[ranks]
    order = np.argsort(campaign * len(present) + ranks)
    row = np.empty(len(keys), np.int64)
    row[order] = np.arange(len(keys))
    first = np.full((len(keys), len(kinds.KINDS)), NEVER, np.int64)

    def per_pair(
        ufunc: np.ufunc, mask: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        events = seen.grouped(mask)
        pairs, reduced = reduce_runs(ufunc, pair_of[events], values[events])
        return row[pairs], reduced

    def earliest(kind: str, mask: np.ndarray) -> None:
        rows, at_s = per_pair(np.minimum, mask, seen.read_back_s)
        first[rows, KIND_INDEX[kind]] = at_s * 1000

    sent, bounce, opened = seen.of("sent"), seen.of("bounce"), seen.of("open")
    feedback = seen.feedback()
    earliest(kinds.SENT, sent)
    earliest(kinds.BOUNCED, bounce)
    earliest(kinds.UNSUBSCRIBED, seen.of("unsubscribe") & ~feedback)
    earliest(kinds.COMPLAINED, feedback)
    earliest(kinds.CLICKED, seen.of("click"))
    if len(reads) > 1:
        events = seen.grouped(opened)
        open_pair, read = pair_of[events], first_read(seen.available_ms[events], reads)
        held, latest_open = held_first_open(open_pair, seen.at_s[events], read)
        rows = row[held]
        held, held_s = held_open_rows(open_pair, seen.at_s[events], read, len(reads))
        human = _human(seen, pair_of, row, row[held], held_s)
    else:
        rows, latest_open = per_pair(np.maximum, opened, seen.at_s)
        human = _human(seen, pair_of, row, rows, latest_open)
    first[rows, KIND_INDEX[kinds.OPENED]] = seen.clock.read_back_s(latest_open) * 1000
    delivered = (first[:, KIND_INDEX[kinds.SENT]] != NEVER) & (
        first[:, KIND_INDEX[kinds.BOUNCED]] == NEVER
    )
    first[delivered, KIND_INDEX[kinds.DELIVERED]] = first[delivered, KIND_INDEX[kinds.SENT]]

    hard = bounce & seen.bounce_hard[seen.detail]
    bounce_class = np.full(len(keys), NO_BOUNCE, np.int8)
    bounce_class[row[pair_of[bounce]]] = SOFT
    bounce_class[row[pair_of[hard]]] = HARD

    def every(mask: np.ndarray, klass: np.ndarray | None) -> EveryEvents:
        events = np.flatnonzero(mask)
        rows = row[pair_of[events]]
        by_row = np.argsort(rows, kind="stable")
        events, rows = events[by_row], rows[by_row]
        codes = np.full(len(events), NO_BOUNCE, np.int8) if klass is None else klass[events]
        return EveryEvents(rows, seen.read_back_s[events] * 1000, codes.astype(np.int8))

    delivered_rows = np.flatnonzero(delivered)
    return PairTable(
        human=human,
        campaign_ids=campaign_ids,
        campaign=campaign[order].astype(np.int32),
        recipient=recipient[order].astype(np.int64),
        first=first,
        bounce_class=bounce_class,
        every={
            kinds.SENT: every(sent, None),
            kinds.DELIVERED: EveryEvents(
                delivered_rows,
                first[delivered_rows, KIND_INDEX[kinds.DELIVERED]],
                np.full(len(delivered_rows), NO_BOUNCE, np.int8),
            ),
            kinds.BOUNCED: every(bounce, np.where(hard, HARD, SOFT)),
        },
    )


def pairs(
    world: MaxemailWorld,
    now_ms: int,
    zone: tzinfo,
    seen: Visible | None = None,
    reads: tuple[int, ...] = (),
) -> list[PairFacts]:
    """The pairs as `PairFacts` (the report functions' list form; small worlds)."""
    seen = seen or Visible(world, now_ms, zone)
    table = pair_table(world, now_ms, zone, seen, reads)
    keys = distinct(seen.pair)
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
                for kind, at in zip(kinds.KINDS + kinds.HUMAN_KINDS, first.tolist(), strict=True)
                if at != NEVER
            },
            CLASS_NAMES[int(klass)],
            labelled=True,
        )
        for c, r, first, klass in zip(
            table.campaign,
            table.recipient,
            np.hstack([table.first] + [table.at(k)[:, None] for k in kinds.HUMAN_KINDS]),
            table.bounce_class,
            strict=True,
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
    by_message = np.argsort(seen.message, kind="stable")
    starts = run_starts(seen.message[by_message])
    mentioned, first_index = seen.message[by_message][starts], by_message[starts]
    first_send = np.full(len(world.messages), np.iinfo(np.int64).max, np.int64)
    sends = by_message[seen.of("sent")[by_message]]
    messages, earliest = reduce_runs(np.minimum, seen.message[sends], seen.at_s[sends])
    first_send[messages] = earliest
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
