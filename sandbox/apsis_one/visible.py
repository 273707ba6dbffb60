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
    """The visible events, grouped by (campaign, recipient) pair: their campaign and recipient
    indexes, type and detail codes, effective time and pair number; per pair (in the order
    they first occur) its campaign and recipient; the campaigns' and recipients' sort ranks.
    `mask` selects them from the world's rows (None: every row, in generation order)."""

    mask: np.ndarray | None
    order: np.ndarray | None  # a hand-made world's rows, regrouped by pair (None: grouped)
    campaign: np.ndarray
    recipient: np.ndarray
    kind: np.ndarray
    detail: np.ndarray
    at: np.ndarray  # effective time, epoch ms
    pair: np.ndarray  # int32, non-decreasing
    pair_campaign: np.ndarray
    pair_recipient: np.ndarray
    campaign_ids: tuple[str, ...]  # by campaign index
    campaign_rank: np.ndarray  # by campaign index: rank of its id among the sorted ids
    recipient_keys: tuple[str, ...]  # lower-cased addresses, by recipient index
    recipient_rank: np.ndarray  # by recipient index: rank of its key among the sorted keys

    @classmethod
    def at_clock(cls, world: ApsisWorld, now_ms: int) -> Visible:
        """Views of the columns when every event is visible, else compact copies (a few
        arrays of the events' size at a time)."""
        columns = world.columns
        available = columns.true_ms + columns.delay
        available[columns.lag_idx] += columns.lag_value
        visible = available < now_ms
        del available
        at = columns.true_ms.copy()
        exc = columns.exc_idx
        server = columns.true_ms[exc] + columns.delay[exc]
        at[exc] = effective_ms(columns.exc_value, server)
        mask: np.ndarray | None = None if visible.all() else visible

        def pick(column: np.ndarray) -> np.ndarray:
            return column if mask is None else column[mask]

        campaign, recipient = pick(columns.campaign), pick(columns.recipient)
        kind, detail, at = pick(columns.kind), pick(columns.detail), pick(at)
        del visible
        order = None
        pair, starts = _runs(campaign, recipient)
        keys = campaign[starts].astype(np.int64) * max(len(world.recipients), 1) + recipient[starts]
        keys.sort()
        if (keys[1:] == keys[:-1]).any():  # not grouped by pair (hand-made): regroup
            order = np.argsort(
                campaign.astype(np.int64) * len(world.recipients) + recipient, kind="stable"
            )
            campaign, recipient, kind = campaign[order], recipient[order], kind[order]
            detail, at = detail[order], at[order]
            pair, starts = _runs(campaign, recipient)
        ids, keys_ = world.cached("truth-keys", lambda: _keys(world))
        return cls(
            mask, order, campaign, recipient, kind, detail, at, pair,
            campaign[starts], recipient[starts], ids[0], ids[1], keys_[0], keys_[1],
        )  # fmt: skip

    @property
    def pairs(self) -> int:
        return len(self.pair_campaign)

    def rows(self, selected: np.ndarray) -> np.ndarray:
        """The world's rows of the selected visible events."""
        rows = np.flatnonzero(selected)
        if self.order is not None:
            rows = self.order[rows]
        return rows if self.mask is None else np.flatnonzero(self.mask)[rows]

    def bounce_class(self) -> np.ndarray:
        """Per visible event: its bounce class code (meaningful on BOUNCED rows only)."""
        return BOUNCE_CLASS[self.detail]

    def pairs_with(self, selected: np.ndarray) -> np.ndarray:
        """Per pair: whether any selected event is in it."""
        has = np.zeros(self.pairs, bool)
        has[self.pair[selected]] = True
        return has


def _runs(campaign: np.ndarray, recipient: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run number of each element of (campaign, recipient) runs, and the runs' first indexes."""
    new = np.ones(len(campaign), bool)
    new[1:] = (campaign[1:] != campaign[:-1]) | (recipient[1:] != recipient[:-1])
    return np.cumsum(new, dtype=np.int32) - 1, np.flatnonzero(new)


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


def stable_order(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` of non-negative integers, as one sort of
    `key << bits | position` when that fits in 63 bits (NumPy's SIMD sort of values is several
    times faster than its stable argsort)."""
    n = len(keys)
    if not n:
        return np.empty(0, np.int64)
    bits = (n - 1).bit_length()
    if int(keys.max()).bit_length() + bits > 62:
        return np.argsort(keys, kind="stable")
    packed = np.sort((keys.astype(np.int64) << bits) | np.arange(n, dtype=np.int64))
    return packed & ((1 << bits) - 1)


def dense_codes(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_inverse=True)` of integers in [0, size), without sorting."""
    present = np.bincount(values, minlength=size) > 0
    code = np.cumsum(present) - 1
    return np.flatnonzero(present), code[values]
