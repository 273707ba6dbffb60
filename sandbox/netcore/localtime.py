"""Account-local time of many instants at once (NumPy), exactly as `datetime.fromtimestamp(at_s,
zone)` and a reader's `strptime(...).replace(tzinfo=zone)` give it one by one.

A zone's offset is looked up once per distinct UTC hour (per distinct local hour when read back);
an hour whose offset changes inside it (a DST transition not on the hour) is computed instant by
instant with `datetime`, so the result never depends on where the transitions fall.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

import numpy as np

HOUR_S = 3600


def _hour_offsets(hours: np.ndarray, offset_at: object) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct hour: the offset (seconds) at its start, and whether it holds all hour."""
    get = offset_at  # Callable[[int], int]
    starts = [get(int(h) * HOUR_S) for h in hours]  # type: ignore[operator]
    ends = [get(int(h) * HOUR_S + HOUR_S - 1) for h in hours]  # type: ignore[operator]
    return np.array(starts, np.int64), np.array(starts, np.int64) == np.array(ends, np.int64)


def _offsets(at_s: np.ndarray, offset_at: object) -> np.ndarray:
    at_s = np.asarray(at_s, np.int64)
    if not len(at_s):
        return np.zeros(0, np.int64)
    hours, inverse = np.unique(at_s // HOUR_S, return_inverse=True)
    offsets, uniform = _hour_offsets(hours, offset_at)
    result = offsets[inverse]
    mixed = ~uniform[inverse]
    if mixed.any():
        for i in np.flatnonzero(mixed):
            result[i] = offset_at(int(at_s[i]))  # type: ignore[operator]
    return result


def local_seconds(at_s: np.ndarray, zone: tzinfo) -> np.ndarray:
    """The account-local wall time of each instant, as seconds of a naive epoch."""

    def offset(t: int) -> int:
        delta = datetime.fromtimestamp(t, zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    at_s = np.asarray(at_s, np.int64)
    return at_s + _offsets(at_s, offset)


def local_texts(at_s: np.ndarray, zone: tzinfo) -> list[str]:
    """`YYYY-MM-DD HH:MM:SS` in the account's timezone of each instant (model.local_text)."""
    if not len(at_s):
        return []
    text = np.datetime_as_string(local_seconds(at_s, zone).astype("datetime64[s]"), unit="s")
    return [t.replace("T", " ") for t in text.tolist()]


def read_back_seconds(at_s: np.ndarray, zone: tzinfo) -> np.ndarray:
    """The epoch seconds a reader gets from the local text of each instant (an ambiguous local
    time reads as its first instant; pairs.read_back_ms, truth.read_back_utc)."""

    def offset(local: int) -> int:
        naive = datetime.fromtimestamp(local, UTC).replace(tzinfo=None)
        delta = naive.replace(tzinfo=zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    local = local_seconds(at_s, zone)
    return local - _offsets(local, offset)


def utc_texts(at_s: np.ndarray) -> list[str]:
    """Naive UTC `YYYY-MM-DDTHH:MM:SS` of each instant."""
    if not len(at_s):
        return []
    return np.datetime_as_string(np.asarray(at_s, np.int64).astype("datetime64[s]"), unit="s").tolist()  # type: ignore[no-any-return]
