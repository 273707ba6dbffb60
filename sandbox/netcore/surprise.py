"""Netcore's surprise (docs/CONTRACTS.md 14; the overview is sandbox/surprises.py): with
`unknown_status_every` n > 0, every message picked by its `trid` whose whole life ends at
`delivered` (never opened, clicked, unsubscribed or reported) shows `unknown_status` (default
`inbox`) instead of `delivered` once delivered, in the events API and the Download Logs file;
`deliveryTime` stays. A status it keeps for good, so the count does not depend on when it was
read. Stats are counted from the world, as before.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from sandbox.netcore.model import DELIVERED, MessageState, NetcoreMessage
from sandbox.surprises import picked

if TYPE_CHECKING:
    from sandbox.netcore.store import NetcoreWorld

UNKNOWN_STATUS = "inbox"


def unknown(message: NetcoreMessage, every: int) -> bool:
    """Whether ``message`` shows the unknown status once delivered: its life ends there."""
    return (
        message.outcome == DELIVERED
        and not message.opens
        and not message.clicks
        and not message.final
        and picked(str(message.trid), every)
    )


def shows_unknown(state: MessageState, every: int) -> bool:
    """Whether ``state`` (a message at the clock) shows the unknown status instead of its own."""
    return state.status == DELIVERED and unknown(state.message, every)


def unknown_mask(world: NetcoreWorld, every: int) -> np.ndarray:
    """Per message of the world, whether it shows the unknown status once delivered (`unknown`;
    cached on the world per `every`)."""
    from sandbox.netcore.store import STATUS_CODE

    key = ("unknown", every)
    found = world.cache.get(key)
    if found is None:
        mask = (
            (world.outcome == STATUS_CODE[DELIVERED])
            & (np.diff(world.open_start) == 0)
            & (np.diff(world.click_start) == 0)
            & (world.final == 0)
        )
        if every > 0:
            rows = np.flatnonzero(mask)
            trids = world.trid[rows].tolist()
            mask[rows] = [zlib.crc32(str(t).encode("utf-8")) % every == 0 for t in trids]
        else:
            mask[:] = False
        found = world.cache[key] = mask
    return found  # type: ignore[no-any-return]


def unknown_counts(
    world: NetcoreWorld, now_ms: int, status: str, every: int
) -> list[dict[str, Any]]:
    """The truth's `unmapped_event_types`: one status event per message that shows the unknown
    status at the clock."""
    from sandbox.netcore.facts import seen
    from sandbox.netcore.store import STATUS_CODE

    count = 0
    if every > 0:
        states = seen(world, now_ms).states
        shows = (states.status == STATUS_CODE[DELIVERED]) & unknown_mask(world, every)[states.rows]
        count = int(shows.sum())
    return [{"raw_event_type": status, "count": count}] if count else []
