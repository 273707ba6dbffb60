"""Maxemail's visible opens and clicks as its files show them, with their truth labels
(sandbox.reports.human): the `opened` row of a pair at its latest visible open, a `clicked` row
per pair and URL at its latest visible click, the `responded` row at the pair's first visible
click; each row is a machine's when the event at its time is (a human event wins a tie)."""

from __future__ import annotations

import numpy as np

from sandbox.maxemail.files import URL_SLOTS
from sandbox.maxemail.visible import Visible, who_texts
from sandbox.reports.human import CLICK, OPEN, Engagement


def _pick(seen: Visible, positions: np.ndarray, groups: np.ndarray, last: bool) -> np.ndarray:
    """Per group, the position of its latest (`last`) or first event; human after machine on
    a tie, so a tie's latest is human and its first a machine's."""
    order = np.lexsort((seen.machine[positions] == 0, seen.at_s[positions], groups))
    positions, groups = positions[order], groups[order]
    if not len(groups):
        return positions
    change = groups[1:] != groups[:-1]
    edge = np.r_[change, True] if last else np.r_[True, change]
    return positions[edge]  # type: ignore[no-any-return]


def file_rows(seen: Visible) -> dict[int, list[np.ndarray]]:
    """Positions (visible events) of the rows: OPEN the `opened` rows, CLICK the `clicked` rows
    and the `responded` rows."""
    opens = np.flatnonzero(seen.of("open"))
    clicks = np.flatnonzero(seen.of("click"))
    return {
        OPEN: [_pick(seen, opens, seen.pair[opens], True)],
        CLICK: [
            _pick(seen, clicks, seen.pair[clicks] * URL_SLOTS + seen.detail[clicks], True),
            _pick(seen, clicks, seen.pair[clicks], False),
        ],
    }


def engagement(seen: Visible, only: int | None = None) -> Engagement:
    """The rows of the `opened`, `clicked` and `responded` files visible at the clock (`only`:
    the rows of that kind, OPEN or CLICK)."""
    rows = {k: v for k, v in file_rows(seen).items() if only is None or k == only}
    texts = who_texts(seen.world)
    parts = [
        Engagement(
            [str(m.email_id) for m in seen.world.messages],
            seen.message[p].astype(np.int64),
            seen.who[p].astype(np.int64),
            np.full(len(p), kind, np.int8),
            seen.at_s[p] * 1000,
            seen.machine[p] != 0,
            lambda codes: [str(texts[i]) for i in codes.tolist()],
        )
        for kind, picked in rows.items()
        for p in picked
    ]
    return Engagement.join(parts)


def engagement_of_reads(seen: Visible, earlier: list[Visible]) -> Engagement:
    """The rows a warehouse holds after reading the files at the `earlier` clocks and at
    `seen`'s (sandbox.maxemail.reads): every read's `opened` rows (a row kept by several reads
    repeats), the `clicked` and `responded` rows of the last read (issue 16: `machine_pairs`
    after several reads; a later read can add a human open row to a machine's)."""
    return Engagement.join([engagement(seen), *(engagement(v, only=OPEN) for v in earlier)])
