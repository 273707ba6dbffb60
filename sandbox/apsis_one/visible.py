"""The APSIS One events a full load sees at a clock, as arrays: the truth's input.

An event counts once visible (`available_at` of its first copy before the clock); its effective
time is `event_time` when that is a real time (>= 1971), else the first copy's `server_time`
(docs/CONTRACTS.md 4). Campaigns and recipients are also given as ranks of their ids and
lower-cased addresses, so that sorting by rank sorts as the truth's text keys do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.apsis_one.columns import BOUNCE_VALUES
from sandbox.apsis_one.model import bounce_class
from sandbox.apsis_one.world import ApsisWorld
from sandbox.timeutil import REAL_TIME_FLOOR_MS

# bounce code index -> class code: 0 informational (no bounce), 1 soft-class, 2 hard
NO_BOUNCE, SOFT, HARD = 0, 1, 2
_CLASS_CODE = {"hard": HARD, "soft": SOFT, "block": SOFT, "unknown": SOFT, "informational": 0}
BOUNCE_CLASS = np.array([_CLASS_CODE[bounce_class(code)] for code in BOUNCE_VALUES], np.int8)


def effective_ms(event_ms: np.ndarray, server_ms: np.ndarray) -> np.ndarray:
    """`event_time` when it is a real time (>= 1971), else the first copy's `server_time`."""
    return np.where(event_ms >= REAL_TIME_FLOOR_MS, event_ms, server_ms)


@dataclass(frozen=True)
class Visible:
    """The visible events (generation order): their row, campaign and recipient indexes, type
    code, detail code and effective time; plus the campaigns' and recipients' sort ranks."""

    row: np.ndarray
    campaign: np.ndarray  # int64
    recipient: np.ndarray  # int64
    kind: np.ndarray
    detail: np.ndarray
    at: np.ndarray  # effective time, epoch ms
    campaign_ids: tuple[str, ...]  # by campaign index
    campaign_rank: np.ndarray  # by campaign index: rank of its id among the sorted ids
    recipient_keys: tuple[str, ...]  # lower-cased addresses, by recipient index
    recipient_rank: np.ndarray  # by recipient index: rank of its key among the sorted keys

    @classmethod
    def at_clock(cls, world: ApsisWorld, now_ms: int) -> Visible:
        columns = world.columns
        server = columns.server_ms()
        mask = server + columns.lag_ms() < now_ms
        row = np.flatnonzero(mask)
        at = effective_ms(columns.event_ms()[mask], server[mask])
        ids, keys = world.cached("truth-keys", lambda: _keys(world))
        return cls(
            row,
            columns.campaign[mask].astype(np.int64),
            columns.recipient[mask].astype(np.int64),
            columns.kind[mask],
            columns.detail[mask],
            at,
            ids[0],
            ids[1],
            keys[0],
            keys[1],
        )

    def bounce_class(self) -> np.ndarray:
        """Per visible event: its bounce class code (meaningful on BOUNCED rows only)."""
        return BOUNCE_CLASS[self.detail]


def _ranks(values: list[str]) -> np.ndarray:
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), np.int64)
    rank[order] = np.arange(len(values))
    return rank


def _keys(
    world: ApsisWorld,
) -> tuple[tuple[tuple[str, ...], np.ndarray], tuple[tuple[str, ...], np.ndarray]]:
    ids = [c.id for c in world.campaigns]
    keys = [r.key for r in world.recipients]
    return (tuple(ids), _ranks(ids)), (tuple(keys), _ranks(keys))


def naive_texts(ms: np.ndarray) -> list[str]:
    """`naive_ms` of each value (`YYYY-MM-DDTHH:MM:SS.mmm`, naive UTC), vectorised."""
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms").tolist()


def first_per_group(group: np.ndarray, *order_keys: np.ndarray) -> np.ndarray:
    """Indexes of the first element of each group value, ordered by `order_keys` (most
    significant first), then by position; ascending by group."""
    if not len(group):
        return np.empty(0, np.int64)
    order = np.lexsort((np.arange(len(group)), *reversed(order_keys), group))
    g = group[order]
    first = np.ones(len(g), bool)
    first[1:] = g[1:] != g[:-1]
    return order[first]
