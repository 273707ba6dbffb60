"""Counting (campaign, recipient) pairs over a report period (docs/CONTRACTS.md section 9): the
counts, rates and diffs of a period against the previous one, delivery-time slots and histogram
bucket totals. Shared by the report marts' truth (sandbox.reports.truth, sandbox.reports.overall)
and the Benchmark simulator's reports (sandbox.benchmark.reports).

A pair counts in a period when its first event of the kind falls in it. Rates are on the OpenAPI's
bases, bounded by 100 (`cohort_counts`): opens and clicks of the pairs first delivered in the
period (before its end), bounces of the pairs first sent in it; rate diffs compare the two rounded
rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Any

from sandbox.reports.pairs import (
    BOUNCED,
    CLICKED,
    DELIVERED,
    EVERY_KINDS,
    KINDS,
    OPENED,
    SENT,
    PairFacts,
)
from sandbox.reports.periods import SLOTS, Period, bucketed, diff, rate, slot_of
from sandbox.timeutil import from_ms

NAIVE = "%Y-%m-%dT%H:%M:%S"


def first_times(pairs: Iterable[PairFacts], kind: str, bounce: str = "") -> list[int]:
    """Each pair's first time of a kind (of the pairs of a bounce class, if given)."""
    result = []
    for pair in pairs:
        at = pair.first.get(kind)
        if at is not None and (not bounce or pair.bounce_class == bounce):
            result.append(at)
    return result


def _every(pairs: Iterable[PairFacts], kind: str, bounce: str = "") -> list[int]:
    """Every event of a kind (`EVERY_KINDS`), for bounces of the event's own class if given."""
    return [
        at
        for pair in pairs
        for at, klass in pair.every.get(kind, ())
        if not bounce or klass == bounce
    ]


def period_counts(pairs: Sequence[PairFacts], start: int, end: int) -> dict[str, int]:
    """Pairs whose first event of each kind falls in `[start, end)` (+ hard / soft bounces)."""
    counts = dict.fromkeys(KINDS, 0)
    counts["hard"] = counts["soft"] = 0
    for pair in pairs:
        for kind, at in pair.first.items():
            if start <= at < end and kind in counts:
                counts[kind] += 1
                if kind == BOUNCED and pair.bounce_class in ("hard", "soft"):
                    counts[pair.bounce_class] += 1
    counts["bounces"] = counts["hard"] + counts["soft"]
    return counts


# rate column -> (its numerator, its base) in `cohort_counts`: opens and clicks on delivered,
# bounces on sent (the OpenAPI's `/api/reports/email/overall` texts)


RATES = {
    "open_rate": ("opened", "delivered"),
    "click_rate": ("clicked", "delivered"),
    "bounce_rate": ("bounces", "sent"),
    "hard_bounce_rate": ("hard", "sent"),
    "soft_bounce_rate": ("soft", "sent"),
}


def cohort_counts(pairs: Sequence[PairFacts], start: int, end: int) -> dict[str, int]:
    """The numerators and bases of a period's rates, bounded by 100: of the pairs first
    delivered in `[start, end)` those first opened / clicked before `end`; of the pairs first
    sent in it those first bounced before `end` (by the pair's class)."""
    counts = dict.fromkeys(("delivered", "opened", "clicked", "sent", "hard", "soft"), 0)
    for pair in pairs:
        delivered, sent = pair.at(DELIVERED), pair.at(SENT)
        if delivered is not None and start <= delivered < end:
            counts["delivered"] += 1
            for kind in (OPENED, CLICKED):
                at = pair.at(kind)
                counts[kind] += at is not None and at < end
        if sent is not None and start <= sent < end:
            counts["sent"] += 1
            bounced = pair.at(BOUNCED)
            if bounced is not None and bounced < end and pair.bounce_class in ("hard", "soft"):
                counts[pair.bounce_class] += 1
    counts["bounces"] = counts["hard"] + counts["soft"]
    return counts


def rate_columns(
    pairs: Sequence[PairFacts], span: Period, names: Iterable[str]
) -> dict[str, float]:
    """`<rate>`, `previous_<rate>` and `<rate>_diff` (of the two rounded rates) per rate name."""
    cur = cohort_counts(pairs, span.start, span.end)
    prev = cohort_counts(pairs, span.previous_start, span.start)
    row: dict[str, float] = {}
    for name in names:
        part, base = RATES[name]
        now, before = rate(cur[part], cur[base]), rate(prev[part], prev[base])
        row.update({name: now, f"previous_{name}": before, f"{name}_diff": diff(now, before)})
    return row


def count_columns(
    pairs: Sequence[PairFacts], span: Period, names: Iterable[tuple[str, str]]
) -> dict[str, int | float]:
    """`<count>`, `previous_<count>` and `<count>_diff` per (column, period_counts key)."""
    cur = period_counts(pairs, span.start, span.end)
    prev = period_counts(pairs, span.previous_start, span.start)
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
    pairs: Sequence[PairFacts], kind: str, span: Period, spans: list[tuple[int, int]]
) -> tuple[list[int], list[int] | None, list[int] | None]:
    """Totals per bucket of one histogram type, and for bounces the hard and soft ones (None for
    the other types). `EVERY_KINDS` count every event (a bounce by its own class), the others
    each pair's first event."""
    times = _every if kind in EVERY_KINDS else first_times
    totals = bucketed(times(pairs, kind), span.start, span.end, spans)
    if kind != BOUNCED:
        return totals, None, None
    hard = bucketed(_every(pairs, kind, "hard"), span.start, span.end, spans)
    soft = bucketed(_every(pairs, kind, "soft"), span.start, span.end, spans)
    return totals, hard, soft


def delivery_slots(
    pairs: Sequence[PairFacts], span: Period, zone: tzinfo
) -> dict[str, tuple[int, int]]:
    """deliveryTimeStats: per slot (by the local hour of the first delivery), the pairs first
    delivered in the period and those of them first opened before the period end."""
    delivered, opened = dict.fromkeys(SLOTS, 0), dict.fromkeys(SLOTS, 0)
    for pair in pairs:
        at, open_at = pair.at(DELIVERED), pair.at(OPENED)
        if at is None or not span.start <= at < span.end:
            continue
        slot = slot_of(at, zone)
        delivered[slot] += 1
        opened[slot] += open_at is not None and open_at < span.end
    return {slot: (delivered[slot], opened[slot]) for slot in SLOTS}
