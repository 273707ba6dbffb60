"""Account-local time of many instants at once (NumPy): the `YYYY-MM-DD HH:MM:SS` text Maxemail
writes, and the instant a reader gets back from that text.

`LocalTime(zone, start_s, end_s)` finds the zone's UTC-offset transitions in the window (hourly
probes, then bisection to the second, so any transition instant is exact), after which an
instant's offset is one `searchsorted`. Reading a local text back takes the first of two
ambiguous instants (`datetime(..., fold=0)`, what `model.local_to_utc` does): an instant in the
repeated hour after a fall-back transition reads back one offset change earlier.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache

import numpy as np

DAY_S = 86_400


def _offset(zone: tzinfo, at_s: int) -> int:
    offset = datetime.fromtimestamp(at_s, UTC).astimezone(zone).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


@cache
def _clock_texts() -> np.ndarray:
    """`HH:MM:SS"` + LF for every second of a day, as a (86400, 10) byte table."""
    text = "".join(f'{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"\n' for s in range(DAY_S))
    return np.frombuffer(text.encode("ascii"), np.uint8).reshape(DAY_S, 10)


class LocalTime:
    """Offsets of `zone` for instants in [start_s, end_s] (epoch seconds)."""

    def __init__(self, zone: tzinfo, start_s: int, end_s: int) -> None:
        self.zone = zone
        lo, hi = start_s - DAY_S, end_s + DAY_S
        probes = list(range(lo, hi + 3600, 3600))
        offsets = [_offset(zone, t) for t in probes]
        starts, values = [lo], [offsets[0]]
        for a, b, before, after in zip(probes, probes[1:], offsets, offsets[1:], strict=False):
            if before == after:
                continue
            while b - a > 1:  # the first second of the new offset is in (a, b]
                mid = (a + b) // 2
                a, b = (mid, b) if _offset(zone, mid) == before else (a, mid)
            starts.append(b)
            values.append(after)
        self.starts = np.array(starts, np.int64)
        self.offsets = np.array(values, np.int64)

    def offset(self, at_s: np.ndarray) -> np.ndarray:
        """UTC offsets (seconds) at these instants."""
        return self.offsets[np.searchsorted(self.starts, at_s, side="right") - 1]

    def naive(self, at_s: np.ndarray) -> np.ndarray:
        """Local wall-clock times as seconds since the naive epoch (text order = number order)."""
        return at_s + self.offset(at_s)

    def read_back_s(self, at_s: np.ndarray) -> np.ndarray:
        """The instant a reader gets from the local text of each instant (first of two); `at_s`
        itself (no copy) when none falls in a repeated hour."""
        result = at_s
        for start, before, after in zip(
            self.starts[1:], self.offsets[:-1], self.offsets[1:], strict=True
        ):
            repeated = int(before - after)
            if repeated > 0:  # a fall-back: [start, start + repeated) repeats earlier texts
                second = (at_s >= start) & (at_s < start + repeated)
                if second.any():
                    if result is at_s:
                        result = np.array(at_s, np.int64, copy=True)
                    result[second] -= repeated
        return result

    def quoted_texts(self, at_s: np.ndarray) -> np.ndarray:
        """`"YYYY-MM-DD HH:MM:SS"` + LF per instant, as an (n, 22) byte array."""
        naive = self.naive(at_s)
        days, seconds = np.divmod(naive, DAY_S)
        first = int(days.min()) if len(days) else 0
        span = int(days.max()) - first + 1 if len(days) else 0
        heads = "".join(
            datetime.fromtimestamp((first + d) * DAY_S, UTC).strftime('"%Y-%m-%d ')
            for d in range(span)
        )
        head_table = np.frombuffer(heads.encode("ascii"), np.uint8).reshape(span, 12)
        result = np.empty((len(naive), 22), np.uint8)
        result[:, :12] = head_table[days - first]
        result[:, 12:] = _clock_texts()[seconds]
        return result
