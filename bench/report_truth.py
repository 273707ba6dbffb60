"""CPU seconds of the whole report truth (sandbox.reports: `report_truth` and `overall_truth`, every
report mart's rows) for a synthetic `PairTable` of N pairs, built with NumPy in a second or two.

    python -m bench.report_truth --pairs 3000000 [--campaigns 85] [--reference]

The table looks like a sandbox world of that size: campaigns sent over 150 days (each to its
recipients within a few hours), 92 % delivered, the rest bounced (hard or soft, soft bounces
sometimes twice), 35 % of the delivered opened, 40 % of the openers clicked, a few unsubscribes
and complaints; the report runs at day 120 with past_days 1, 7, 30 and 90 in Europe/London.
`--reference` also times the pure-Python truth it replaced (tests/report_reference.py) on the
same pairs as `PairFacts` (needs about 1 GB per million pairs).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from sandbox.reports.overall import CampaignFacts, overall_truth
from sandbox.reports.pairs import BOUNCED, DELIVERED, KINDS, SENT, PairFacts
from sandbox.reports.params import ReportParams
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
from sandbox.reports.truth import report_truth
from sandbox.timeutil import DAY_MS, HOUR_MS

MINUTE_MS = 60_000

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
PARAMS = ReportParams(START_MS + 120 * DAY_MS, (1, 7, 30, 90), "Europe/London")


def synthetic_table(pairs: int, campaigns: int, seed: int = 7) -> PairTable:
    """A `PairTable` of `pairs` pairs over `campaigns` campaigns (module docstring)."""
    rng = np.random.default_rng(seed)
    campaign = np.sort(rng.integers(0, campaigns, pairs)).astype(np.int32)
    launch = START_MS + np.sort(rng.integers(0, 150 * DAY_MS, campaigns))
    sent = launch[campaign] + rng.integers(0, 4 * HOUR_MS, pairs)
    first = np.full((pairs, len(KINDS)), NEVER, np.int64)
    first[:, KIND_INDEX[SENT]] = sent
    bounced = rng.random(pairs) < 0.08
    delivered = ~bounced
    first[delivered, KIND_INDEX[DELIVERED]] = sent[delivered] + rng.integers(1000, 60_000)
    bounce_at = sent + rng.integers(MINUTE_MS, 30 * MINUTE_MS, pairs)
    first[bounced, KIND_INDEX[BOUNCED]] = bounce_at[bounced]
    klass = np.where(rng.random(pairs) < 0.5, HARD, SOFT).astype(np.int8)
    bounce_class = np.where(bounced, klass, NO_BOUNCE).astype(np.int8)
    opened = delivered & (rng.random(pairs) < 0.35)
    open_at = sent + rng.exponential(30 * HOUR_MS, pairs).astype(np.int64) + MINUTE_MS
    first[opened, KIND_INDEX["opened"]] = open_at[opened]
    clicked = opened & (rng.random(pairs) < 0.4)
    first[clicked, KIND_INDEX["clicked"]] = open_at[clicked] + rng.integers(1000, HOUR_MS)
    for kind, share in (("unsubscribed", 0.02), ("complained", 0.005)):
        chosen = delivered & (rng.random(pairs) < share)
        first[chosen, KIND_INDEX[kind]] = open_at[chosen] + HOUR_MS
    rows = np.arange(pairs, dtype=np.int64)
    twice = bounced & (bounce_class == SOFT) & (rng.random(pairs) < 0.3)
    every = {
        SENT: EveryEvents(rows, sent, np.zeros(pairs, np.int8)),
        DELIVERED: EveryEvents(
            rows[delivered],
            first[delivered, KIND_INDEX[DELIVERED]],
            np.zeros(int(delivered.sum()), np.int8),
        ),
        BOUNCED: EveryEvents(
            np.concatenate((rows[bounced], rows[twice])),
            np.concatenate((bounce_at[bounced], bounce_at[twice] + HOUR_MS)),
            np.concatenate((bounce_class[bounced], bounce_class[twice])),
        ),
    }
    return PairTable(
        campaign_ids=tuple(f"c{c:05d}" for c in range(campaigns)),
        campaign=campaign,
        recipient=rows,
        first=first,
        bounce_class=bounce_class,
        every=every,
    )


def campaign_facts(table: PairTable) -> list[CampaignFacts]:
    """Every other campaign scheduled at its first send, the others without a schedule."""
    return [
        CampaignFacts(c, f"Campaign {c}", None if i % 2 else START_MS + i * DAY_MS)
        for i, c in enumerate(table.campaign_ids)
    ]


def to_facts(table: PairTable) -> list[PairFacts]:
    """The table as the `PairFacts` the reference truth reads."""
    facts = [
        PairFacts(
            table.campaign_ids[c],
            str(r),
            {kind: int(at) for kind, at in zip(KINDS, row, strict=True) if at != NEVER},
            CLASS_NAMES[int(k)],
        )
        for c, r, row, k in zip(
            table.campaign.tolist(),
            table.recipient.tolist(),
            table.first.tolist(),
            table.bounce_class.tolist(),
            strict=True,
        )
    ]
    for kind, events in table.every.items():
        columns = (events.pair.tolist(), events.at.tolist(), events.klass.tolist())
        for row, at, k in zip(*columns, strict=True):
            facts[row].every.setdefault(kind, []).append((at, CLASS_NAMES[k]))
    return facts


def timed(run: Any) -> tuple[float, Any]:
    started = time.process_time()
    result = run()
    return time.process_time() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=3_000_000)
    parser.add_argument("--campaigns", type=int, default=85)
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args()
    build, table = timed(lambda: synthetic_table(args.pairs, args.campaigns))
    campaigns = campaign_facts(table)
    others = [KIND_INDEX[kind] for kind in KINDS if kind not in table.every]
    events = sum(len(e.at) for e in table.every.values()) + int(
        (table.first[:, others] != NEVER).sum()
    )
    print(f"table: {len(table):,} pairs, ~{events:,} events, built in {build:.1f} CPU s")

    def truth(pairs: Any, module: Any = None) -> dict[str, Any]:
        if module is None:
            return {**report_truth(pairs, PARAMS), **overall_truth(pairs, campaigns, PARAMS)}
        return {
            **module.report_truth(pairs, PARAMS),
            **module.overall_truth(pairs, campaigns, PARAMS),
        }

    seconds, new = timed(lambda: truth(table))
    rows = sum(len(v) for v in new.values() if isinstance(v, list))
    print(f"report truth (PairTable, NumPy): {seconds:.2f} CPU s, {rows:,} rows")
    if args.reference:
        from tests import report_reference  # the replaced truth lives with the tests

        convert, facts = timed(lambda: to_facts(table))
        seconds, old = timed(lambda: truth(facts, report_reference))
        print(f"reference (PairFacts, Python): {seconds:.2f} CPU s (+{convert:.1f} s to convert)")
        print("documents equal:", old == new)


if __name__ == "__main__":
    main()
