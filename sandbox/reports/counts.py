"""Counting (campaign, recipient) pairs over a report period (docs/CONTRACTS.md section 9): the
counts, rates and diffs of a period against the previous one, delivery-time slots and histogram
bucket totals. Shared by the report marts' truth (sandbox.reports.truth, sandbox.reports.overall)
and the Benchmark simulator's reports (sandbox.benchmark.reports).

Every function takes the pairs as a `PairTable` (or a list of `PairFacts`, converted with
`as_table`) and counts with binary searches in the table's sorted views (sandbox.reports.index).
A pair counts in a period when its first event of the kind falls in it. Rates are on the OpenAPI's
bases, bounded by 100 (`cohort_counts`): opens and clicks of the pairs first delivered in the
period (before its end), bounces of the pairs first sent in it; rate diffs compare the two rounded
rates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

import numpy as np

from sandbox.reports.index import count_in, index_of
from sandbox.reports.pairs import (
    BOUNCED,
    CLICKED,
    DELIVERED,
    EVERY_KINDS,
    HUMAN_CLICKED,
    HUMAN_KINDS,
    HUMAN_OPENED,
    KINDS,
    OPENED,
    SENT,
)
from sandbox.reports.periods import (
    SLOT_OF_HOUR,
    SLOTS,
    Period,
    bucket_counts,
    diff,
    local_hours,
    rate,
)
from sandbox.reports.table import HARD, SOFT, Pairs, as_table
from sandbox.timeutil import from_ms

NAIVE = "%Y-%m-%dT%H:%M:%S"
CLASSES = {"hard": HARD, "soft": SOFT}


def period_counts(pairs: Pairs, start: int, end: int) -> dict[str, int]:
    """Pairs whose first event of each kind falls in `[start, end)` (+ hard / soft bounces)."""
    index = index_of(as_table(pairs))
    counts = {kind: count_in(index.first(kind), start, end) for kind in KINDS + HUMAN_KINDS}
    counts["hard"] = count_in(index.first(BOUNCED, HARD), start, end)
    counts["soft"] = count_in(index.first(BOUNCED, SOFT), start, end)
    counts["bounces"] = counts["hard"] + counts["soft"]
    return counts


# rate column -> (its numerator, its base) in `cohort_counts`: opens and clicks on delivered,
# bounces on sent (the OpenAPI's `/api/reports/email/overall` texts)


RATES = {
    "open_rate": ("opened", "delivered"),
    "click_rate": ("clicked", "delivered"),
    "human_open_rate": (HUMAN_OPENED, "delivered"),  # issue 16: the first human open / click
    "human_click_rate": (HUMAN_CLICKED, "delivered"),
    "bounce_rate": ("bounces", "sent"),
    "hard_bounce_rate": ("hard", "sent"),
    "soft_bounce_rate": ("soft", "sent"),
}


def cohort_counts(pairs: Pairs, start: int, end: int) -> dict[str, int]:
    """The numerators and bases of a period's rates, bounded by 100: of the pairs first
    delivered in `[start, end)` those first opened / clicked before `end`; of the pairs first
    sent in it those first bounced before `end` (by the pair's class)."""
    index = index_of(as_table(pairs))
    delivered = index.cohort(DELIVERED)
    low, high = np.searchsorted(delivered.base, (start, end))
    counts = {"delivered": int(high - low)}
    for kind in (OPENED, CLICKED, HUMAN_OPENED, HUMAN_CLICKED):
        counts[kind] = int(np.count_nonzero(delivered.times[kind][low:high] < end))
    sent = index.cohort(SENT)
    low, high = np.searchsorted(sent.base, (start, end))
    counts["sent"] = int(high - low)
    bounced = sent.klass[low:high][sent.times[BOUNCED][low:high] < end]
    counts["hard"] = int(np.count_nonzero(bounced == HARD))
    counts["soft"] = int(np.count_nonzero(bounced == SOFT))
    counts["bounces"] = counts["hard"] + counts["soft"]
    return counts


def rate_columns(pairs: Pairs, span: Period, names: Iterable[str]) -> dict[str, float]:
    """`<rate>`, `previous_<rate>` and `<rate>_diff` (of the two rounded rates) per rate name."""
    table = as_table(pairs)
    cur = cohort_counts(table, span.start, span.end)
    prev = cohort_counts(table, span.previous_start, span.start)
    row: dict[str, float] = {}
    for name in names:
        part, base = RATES[name]
        now, before = rate(cur[part], cur[base]), rate(prev[part], prev[base])
        row.update({name: now, f"previous_{name}": before, f"{name}_diff": diff(now, before)})
    return row


def count_columns(
    pairs: Pairs, span: Period, names: Iterable[tuple[str, str]]
) -> dict[str, int | float]:
    """`<count>`, `previous_<count>` and `<count>_diff` per (column, period_counts key)."""
    table = as_table(pairs)
    cur = period_counts(table, span.start, span.end)
    prev = period_counts(table, span.previous_start, span.start)
    row: dict[str, int | float] = {}
    for name, kind in names:
        row.update({name: cur[kind], f"previous_{name}": prev[kind]})
        row[f"{name}_diff"] = diff(cur[kind], prev[kind])
    return row


def naive_text(ms: int) -> str:
    return from_ms(ms).strftime(NAIVE)


def local_text(ms: int, zone: tzinfo) -> str:
    return from_ms(ms).astimezone(zone).strftime(NAIVE)


def period_head(days: int, span: Period) -> dict[str, Any]:
    return {
        "past_days": days,
        "period_start_at": naive_text(span.start),
        "period_end_at": naive_text(span.end),
    }


def histogram_counts(
    pairs: Pairs, kind: str, span: Period, spans: list[tuple[int, int]]
) -> tuple[list[int], list[int] | None, list[int] | None]:
    """Totals per bucket of one histogram type, and for bounces the hard and soft ones (None for
    the other types). `EVERY_KINDS` count every event (a bounce by its own class), the others
    each pair's first event."""
    index = index_of(as_table(pairs))
    times = index.every(kind) if kind in EVERY_KINDS else index.first(kind)
    totals = bucket_counts(times, span.start, span.end, spans)
    if kind != BOUNCED:
        return totals, None, None
    hard = bucket_counts(index.every(kind, HARD), span.start, span.end, spans)
    soft = bucket_counts(index.every(kind, SOFT), span.start, span.end, spans)
    return totals, hard, soft


def delivery_slots(pairs: Pairs, span: Period, zone: tzinfo) -> dict[str, tuple[int, int]]:
    """deliveryTimeStats: per slot (by the local hour of the first delivery), the pairs first
    delivered in the period and those of them first opened before the period end."""
    delivered = index_of(as_table(pairs)).cohort(DELIVERED)
    low, high = np.searchsorted(delivered.base, (span.start, span.end))
    slot = SLOT_OF_HOUR[local_hours(delivered.base[low:high], zone)]
    opened = delivered.times[OPENED][low:high] < span.end
    totals = np.bincount(slot, minlength=len(SLOTS))
    opens = np.bincount(slot[opened], minlength=len(SLOTS))
    return {name: (int(totals[i]), int(opens[i])) for i, name in enumerate(SLOTS)}
