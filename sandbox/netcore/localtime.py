"""Account-local time of many instants at once (NumPy), exactly as `datetime.fromtimestamp(at_s,
zone)` and a reader's `strptime(...).replace(tzinfo=zone)` give it one by one.

A zone's offset is looked up once per distinct UTC hour (per distinct local hour when read back);
an hour whose offset changes inside it (a DST transition not on the hour) is computed instant by
instant with `datetime`, so the result never depends on where the transitions fall.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

import numpy as np

HOUR_S = 3600


def _utc_offset(zone: tzinfo, at_s: int) -> int:
    """The zone's offset (seconds) at the instant."""
    delta = datetime.fromtimestamp(at_s, zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _local_offset(zone: tzinfo, local: int) -> int:
    """The zone's offset at a local wall time (seconds of a naive epoch; fold 0)."""
    naive = datetime.fromtimestamp(local, UTC).replace(tzinfo=None)
    delta = naive.replace(tzinfo=zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_inverse=True)`, but by offset from the minimum when the values
    span a short range (hours or days of a few months: no sort), with unused values kept."""
    low, high = int(values.min()), int(values.max())
    if high - low > len(values) + 64:
        return np.unique(values, return_inverse=True)  # type: ignore[no-any-return]
    return np.arange(low, high + 1, dtype=np.int64), values - low


@functools.lru_cache(maxsize=1 << 16)
def _hour(zone: tzinfo, offset_at: Callable[[tzinfo, int], int], hour: int) -> int | None:
    """The offset through one hour, None when it changes inside it."""
    start = offset_at(zone, hour * HOUR_S)
    return start if start == offset_at(zone, hour * HOUR_S + HOUR_S - 1) else None


def _offsets(at_s: np.ndarray, zone: tzinfo, offset_at: Callable[[tzinfo, int], int]) -> np.ndarray:
    if not len(at_s):
        return np.zeros(0, np.int64)
    hours, inverse = _distinct(at_s // HOUR_S)
    found = [_hour(zone, offset_at, h) for h in hours.tolist()]
    offsets = np.array([0 if f is None else f for f in found], np.int64)
    result = offsets[inverse]
    if None in found:
        mixed = np.array([f is None for f in found])[inverse]
        for i in np.flatnonzero(mixed).tolist():
            result[i] = offset_at(zone, int(at_s[i]))
    return result


def local_seconds(at_s: np.ndarray, zone: tzinfo) -> np.ndarray:
    """The account-local wall time of each instant, as seconds of a naive epoch."""
    at_s = np.asarray(at_s, np.int64)
    return at_s + _offsets(at_s, zone, _utc_offset)


_CLOCK: list[str] = []  # "HH:MM:SS" of every second of a day, made on first use


def local_texts(at_s: np.ndarray, zone: tzinfo) -> list[str]:
    """`YYYY-MM-DD HH:MM:SS` in the account's timezone of each instant (model.local_text): the
    text of each distinct day once, then the clock time of the second from a table."""
    if not len(at_s):
        return []
    if not _CLOCK:
        _CLOCK.extend(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))
    local = local_seconds(at_s, zone)
    days, day = _distinct(local // 86_400)
    names = [f"{d} " for d in np.datetime_as_string(days.astype("datetime64[D]")).tolist()]
    clock = _CLOCK
    return [
        names[d] + clock[s] for d, s in zip(day.tolist(), (local % 86_400).tolist(), strict=True)
    ]


def read_back_seconds(at_s: np.ndarray, zone: tzinfo) -> np.ndarray:
    """The epoch seconds a reader gets from the local text of each instant (an ambiguous local
    time reads as its first instant; pairs.read_back_ms, truth.read_back_utc)."""

    local = local_seconds(at_s, zone)
    return local - _offsets(local, zone, _local_offset)


def utc_texts(at_s: np.ndarray) -> list[str]:
    """Naive UTC `YYYY-MM-DDTHH:MM:SS` of each instant."""
    if not len(at_s):
        return []
    return np.datetime_as_string(
        np.asarray(at_s, np.int64).astype("datetime64[s]"), unit="s"
    ).tolist()  # type: ignore[no-any-return]
