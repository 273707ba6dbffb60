"""Messages in their state at a world clock, as arrays (`model.state_at` for many messages at once):
the rule is the same, a part of a message's life counts once its time is before the clock and the
status is the furthest stage reached (processed < sent < outcome; for a delivered message open <
click < unsubscribe/spam), `modified_s` when it was reached."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.netcore.model import CLICK, DELIVERED, OPEN, PROCESSED, SENT, SPAM, UNSUBSCRIBE
from sandbox.netcore.store import NONE, STATUS_CODE, NetcoreWorld

_FINAL_STATUS = np.array([-1, STATUS_CODE[UNSUBSCRIBE], STATUS_CODE[SPAM]], np.int8)


@dataclass(frozen=True)
class States:
    """Messages `rows` of a world at a clock: status code (`STATUSES`), when it was reached,
    whether sent, the delivery time (-1: none) and how many of its opens and clicks are seen (a
    prefix of each, which is in time order)."""

    rows: np.ndarray  # int64
    status: np.ndarray  # int8
    modified_s: np.ndarray  # int64
    sent: np.ndarray  # bool
    delivered_s: np.ndarray  # int64, -1 when not delivered
    opens: np.ndarray  # int64 count
    clicks: np.ndarray  # int64 count

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def empty(cls) -> States:
        none = np.zeros(0, np.int64)
        return cls(none, np.zeros(0, np.int8), none, np.zeros(0, bool), none, none, none)

    def take(self, index: np.ndarray | slice) -> States:
        return States(
            self.rows[index],
            self.status[index],
            self.modified_s[index],
            self.sent[index],
            self.delivered_s[index],
            self.opens[index],
            self.clicks[index],
        )


def _seen_counts(
    starts: np.ndarray, at: np.ndarray, low: int, high: int, cut: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per message of rows `[low, high)`: how many of its events are at or before `cut` (they
    are in time order, so a prefix), and the time of its first event (-1: none)."""
    e0, e1 = int(starts[low]), int(starts[high])
    if e1 == e0:
        return np.zeros(high - low, np.int64), np.full(high - low, -1, np.int64)
    seen = np.concatenate(([0], np.cumsum(at[e0:e1] <= cut)))
    first = starts[low:high] - e0
    counts = seen[starts[low + 1 : high + 1] - e0] - seen[first]
    firsts = np.where(counts > 0, at[np.minimum(starts[low:high], e1 - 1)], -1)
    return counts, firsts


def states_at(world: NetcoreWorld, now_ms: int, start_s: int, end_s: int) -> States:
    """The states at the clock of the messages requested in `[start_s, end_s)` and before the
    clock, in request order."""
    cut = (now_ms - 1) // 1000  # a time counts when at_s * 1000 < now_ms
    low, high = world.span(start_s, min(end_s, cut + 1))
    requested = world.requested_s[low:high]
    status = np.full(high - low, STATUS_CODE[PROCESSED], np.int8)
    modified = requested.copy()
    sent_dt = world.sent_dt[low:high].astype(np.int64)
    sent = (sent_dt != NONE) & (requested + sent_dt <= cut)
    status[sent] = STATUS_CODE[SENT]
    modified[sent] = (requested + sent_dt)[sent]
    outcome_s = requested + world.outcome_dt[low:high]
    happened = outcome_s <= cut
    outcome = world.outcome[low:high]
    status[happened] = outcome[happened]
    modified[happened] = outcome_s[happened]
    delivered = happened & (outcome == STATUS_CODE[DELIVERED])
    delivered_s = np.where(delivered, outcome_s, -1)
    opens, first_open = _seen_counts(world.open_start, world.open_at, low, high, cut)
    clicks, first_click = _seen_counts(world.click_start, world.click_at, low, high, cut)
    opens = np.where(delivered, opens, 0)
    clicks = np.where(delivered, clicks, 0)
    opened, clicked = opens > 0, clicks > 0
    status[opened] = STATUS_CODE[OPEN]
    modified[opened] = first_open[opened]
    status[clicked] = STATUS_CODE[CLICK]
    modified[clicked] = first_click[clicked]
    final_s = requested + world.final_dt[low:high]
    final = world.final[low:high]
    ended = delivered & (final > 0) & (final_s <= cut)
    status[ended] = _FINAL_STATUS[final[ended]]
    modified[ended] = final_s[ended]
    return States(
        np.arange(low, high, dtype=np.int64), status, modified, sent, delivered_s, opens, clicks
    )
