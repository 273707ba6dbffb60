"""The clocks at which a loader read Maxemail's export files (the truth's `reads` parameter,
docs/CONTRACTS.md 5.3 and 9), and the first open a warehouse holds after those reads.

The `opened` file has one row per (message, recipient) with the latest open visible when it is
read, and the raw table's merge key holds that timestamp: a warehouse that read the file at clocks
t1 < … < tn keeps one row per distinct latest open, and its first open of a pair is the minimum
over reads of the latest open visible at each read. The latest visible open never moves back as
the clock advances, so that minimum is the latest open visible at the first read that saw any
open of the pair. (The loader's next read asks for rows from its last loaded timestamp minus the
24 h lookback; an open becoming visible after a read is at most `max_late_hours` (6) plus the
ingest delay older than that read, so the read that first sees a pair's opens gets its row.)

The warehouse holds every read's latest open as a row, so its first HUMAN open (issue 16) is the
earliest of those rows whose open is a human's (held_open_rows), which a later read can add: a
machine's open at the first read, a human's at the next.

`clicked` (latest click per URL) and `responded` (first click) need no such rule: the first click
is the minimum over rows, and the earliest click visible at the last read is the minimum of every
row either file showed at any read; link activity takes the highest click count seen, i.e. the
count at the last read; the campaign report counts distinct pairs and takes the latest times.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sandbox.maxemail.visible import reduce_runs
from sandbox.timeutil import parse_rfc3339, to_ms


def read_clocks(query: Mapping[str, str] | None, now_ms: int) -> tuple[int, ...]:
    """The read clocks (epoch ms, ascending, distinct) of `reads` (comma list of RFC 3339 UTC
    times, none after the clock) plus the clock itself, always the last read; ValueError on a bad
    value. No `reads`: one read at the clock."""
    raw = (query or {}).get("reads") or ""
    clocks = {now_ms}
    for text in filter(None, (part.strip() for part in raw.split(","))):
        try:
            at_ms = to_ms(parse_rfc3339(text))
        except ValueError:
            raise ValueError(f"reads must be RFC 3339 UTC times: {text!r}") from None
        if at_ms > now_ms:
            raise ValueError(f"reads must not be after the world clock: {text!r}")
        clocks.add(at_ms)
    return tuple(sorted(clocks))


def first_read(available_ms: np.ndarray, clocks: tuple[int, ...]) -> np.ndarray:
    """Per event: the index of the first read that saw it (visible once `available_ms` < clock)."""
    return np.searchsorted(np.asarray(clocks, np.int64), available_ms, side="right")


def held_first_open(
    keys: np.ndarray, at_s: np.ndarray, read: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per run of equal `keys` (a pair's opens, grouped): the key and the latest `at_s` among the
    opens seen by the pair's first read (`read`: each open's first read)."""
    pairs, earliest = reduce_runs(np.minimum, keys, read)
    if not len(pairs):
        return pairs, at_s[:0]
    run = np.cumsum(np.r_[False, keys[1:] != keys[:-1]])  # each open's run
    seen_first = read == earliest[run]  # every run keeps at least one open
    return reduce_runs(np.maximum, keys[seen_first], at_s[seen_first])


def held_open_rows(
    keys: np.ndarray, at_s: np.ndarray, read: np.ndarray, reads: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every `opened` row a warehouse holds after `reads` reads (issue 16: its first human open is
    the earliest of them whose open is a human's): per read, each pair's latest open seen by then,
    as (key, at_s) arrays (a row kept by several reads repeats). `keys` grouped as in
    held_first_open."""
    parts = [reduce_runs(np.maximum, keys[read <= k], at_s[read <= k]) for k in range(reads)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
