"""Periods, buckets, rates and diffs of the report definitions (docs/CONTRACTS.md section 9), shared
by the Benchmark simulator's reports (sandbox/benchmark/reports.py) and the report marts' truth
(sandbox/reports/truth.py, sandbox/reports/overall.py). Times are epoch milliseconds.

* Periods. `pastDays = N` reports on a period and compares it with the N units before it. With the
  alignment `calendar` (the default, as the OpenAPI's examples show them: `start` and `end` on
  local midnights for day buckets, on the hour for hourly ones) the unit is the local clock hour
  for N = 1 and the local calendar day otherwise, in the report's time zone; the period is the N
  whole units before the unit holding `as_of` (so it ends at the start of the current hour or
  day, and a DST day has 23 or 25 hours). With `rolling` the period is the N x 24 h before `as_of`.
* Buckets tile the window in the same units (with `rolling` the first bucket may start before the
  period); every bucket is listed, zeros too; the peak is the first bucket with the highest total.
* Rates are percentages rounded half up to 2 decimals on exact integers (0 when the base is 0).
* `diff` is the percentage change against the previous period, half up to 2 decimals; 100 when the
  previous value is 0 and the current one is not, 0 when both are 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np

from sandbox.timeutil import DAY_MS, HOUR_MS, from_ms, to_ms

CALENDAR, ROLLING = "calendar", "rolling"
ALIGNMENTS = (CALENDAR, ROLLING)
DEFAULT_ALIGNMENT = CALENDAR


def rate(count: int, base: int) -> float:
    """`count` as a percentage of `base`, rounded half up to 2 decimals on exact integers (0 if
    the base is 0)."""
    return (20000 * count + base) // (2 * base) / 100 if base else 0.0


def diff(current: float, previous: float) -> float:
    """Percentage change against the previous period."""
    cur, prev = Decimal(str(current)), Decimal(str(previous))
    if prev == 0:
        return 100.0 if cur > 0 else 0.0
    return float(((cur - prev) * 100 / prev).quantize(Decimal("0.01"), ROUND_HALF_UP))


# deliveryTimeStats slots by the local hour of delivery: [from, to) hours (night runs 22:00-04:00)
SLOTS = {"morning": (4, 10), "afternoon": (10, 16), "evening": (16, 22), "night": (22, 28)}


def slot_of(at_ms: int, zone: tzinfo) -> str:
    """The deliveryTimeStats slot of a time, by its local hour."""
    hour = from_ms(at_ms).astimezone(zone).hour
    hour += 24 if hour < 4 else 0
    return next(name for name, (low, high) in SLOTS.items() if low <= hour < high)


def unit_for_days(past_days: int) -> str:
    return "hour" if past_days == 1 else "day"


def floor_bucket(ms: int, unit: str, zone: tzinfo) -> int:
    """Start (epoch ms) of the local hour or local day holding `ms`."""
    local = from_ms(ms).astimezone(zone)
    if unit == "hour":
        return to_ms(local.replace(minute=0, second=0, microsecond=0))
    return to_ms(datetime.combine(local.date(), time(0), tzinfo=zone))


def next_bucket(start: int, unit: str, zone: tzinfo) -> int:
    if unit == "hour":
        nxt = floor_bucket(start + HOUR_MS, unit, zone)
        return nxt if nxt > start else start + HOUR_MS
    local = from_ms(start).astimezone(zone)
    nxt = to_ms(datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone))
    return nxt if nxt > start else start + DAY_MS


def _units_before(end: int, count: int, unit: str, zone: tzinfo) -> int:
    """The start of the `count` whole units (local hours or days) ending at the bucket start `end`."""
    if unit == "hour":
        return end - count * HOUR_MS
    local_day = from_ms(end).astimezone(zone).date() - timedelta(days=count)
    return to_ms(datetime.combine(local_day, time(0), tzinfo=zone))


class Period(NamedTuple):
    """`[start, end)` and the previous period `[previous_start, start)`, epoch ms."""

    previous_start: int
    start: int
    end: int


def period(as_of_ms: int, past_days: int, zone: tzinfo, alignment: str = CALENDAR) -> Period:
    """The period of `pastDays = past_days` at `as_of_ms` (see the module docstring)."""
    if alignment == ROLLING:
        span = past_days * DAY_MS
        return Period(as_of_ms - 2 * span, as_of_ms - span, as_of_ms)
    if alignment != CALENDAR:
        raise ValueError(f"alignment must be one of {ALIGNMENTS}, not {alignment!r}")
    unit = unit_for_days(past_days)
    count = 24 if unit == "hour" else past_days
    end = floor_bucket(as_of_ms, unit, zone)
    start = _units_before(end, count, unit, zone)
    return Period(_units_before(start, count, unit, zone), start, end)


def buckets(start: int, end: int, unit: str, zone: tzinfo) -> list[tuple[int, int]]:
    """`[from, to)` buckets covering `[start, end)`, aligned to local hours or days."""
    result = []
    at = floor_bucket(start, unit, zone)
    while at < end:
        nxt = next_bucket(at, unit, zone)
        result.append((at, nxt))
        at = nxt
    return result


def n_buckets(start: int, count: int, unit: str, zone: tzinfo) -> list[tuple[int, int]]:
    """`count` consecutive buckets from the one holding `start`."""
    result = []
    at = floor_bucket(start, unit, zone)
    for _ in range(count):
        nxt = next_bucket(at, unit, zone)
        result.append((at, nxt))
        at = nxt
    return result


def bucketed(times: Iterable[int], start: int, end: int, spans: list[tuple[int, int]]) -> list[int]:
    """Times in `[start, end)` counted per bucket."""
    values = times if isinstance(times, np.ndarray) else np.fromiter(times, np.int64)
    return bucket_counts(np.sort(values), start, end, spans)


def bucket_counts(
    sorted_times: np.ndarray, start: int, end: int, spans: list[tuple[int, int]]
) -> list[int]:
    """Sorted times in `[start, end)` counted per bucket (the buckets of `buckets` and
    `n_buckets`: contiguous, in order), as Python ints."""
    if not spans:
        return []
    lows = np.maximum(np.array([s for s, _ in spans], np.int64), start)
    highs = np.minimum(np.array([e for _, e in spans], np.int64), end)
    counts = np.searchsorted(sorted_times, highs) - np.searchsorted(sorted_times, lows)
    return [int(c) for c in np.maximum(counts, 0)]


def _offset_ms(at_ms: int, zone: tzinfo) -> int:
    offset = from_ms(at_ms).astimezone(zone).utcoffset()
    return 0 if offset is None else offset // timedelta(milliseconds=1)


def utc_offsets_ms(times: np.ndarray, zone: tzinfo) -> np.ndarray:
    """The zone's UTC offset (ms) at each time: read on an hourly grid over the times' range, each
    change of offset between two grid points found to the millisecond by bisection (a zone
    changes its offset at most once an hour)."""
    if len(times) == 0:
        return np.zeros(0, np.int64)
    low = int(times.min()) // HOUR_MS * HOUR_MS
    high = int(times.max()) // HOUR_MS * HOUR_MS + HOUR_MS
    starts, offsets = [low], [_offset_ms(low, zone)]
    for point in range(low + HOUR_MS, high + 1, HOUR_MS):
        offset = _offset_ms(point, zone)
        if offset == offsets[-1]:
            continue
        before, after = point - HOUR_MS, point  # offsets[-1] at before, `offset` at after
        while after - before > 1:
            middle = (before + after) // 2
            if _offset_ms(middle, zone) == offsets[-1]:
                before = middle
            else:
                after = middle
        starts.append(after)
        offsets.append(offset)
    at = np.searchsorted(np.array(starts, np.int64), times, side="right") - 1
    return np.array(offsets, np.int64)[at]


def local_hours(times: np.ndarray, zone: tzinfo) -> np.ndarray:
    """The local clock hour (0-23) of each time in the zone."""
    return (times + utc_offsets_ms(times, zone)) // HOUR_MS % 24


# each local hour's slot, as an index into SLOTS
SLOT_OF_HOUR = np.array(
    [
        next(i for i, (low, high) in enumerate(SLOTS.values()) if low <= h + 24 * (h < 4) < high)
        for h in range(24)
    ],
    np.int64,
)


def peak_index(totals: Sequence[int]) -> int:
    """The first bucket with the highest total (0 when there is none)."""
    return max(range(len(totals)), key=lambda i: (totals[i], -i)) if totals else 0
