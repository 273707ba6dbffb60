"""Netcore's surprise (docs/CONTRACTS.md 14; the overview is sandbox/surprises.py): with
`unknown_status_every` n > 0, every message picked by its `trid` whose whole life ends at
`delivered` (never opened, clicked, unsubscribed or reported) shows `unknown_status` (default
`inbox`) instead of `delivered` once delivered, in the events API and the Download Logs file;
`deliveryTime` stays. A status it keeps for good, so the count does not depend on when it was
read. Stats are counted from the world, as before.
"""

from __future__ import annotations

from typing import Any

from sandbox.netcore.model import DELIVERED, MessageState, NetcoreMessage, NetcoreWorld, state_at
from sandbox.surprises import picked

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


def unknown_counts(
    world: NetcoreWorld, now_ms: int, status: str, every: int
) -> list[dict[str, Any]]:
    """The truth's `unmapped_event_types`: one status event per message that shows the unknown
    status at the clock."""
    count = 0
    if every > 0:
        for message in world.messages:
            state = state_at(message, now_ms)
            if state is not None and shows_unknown(state, every):
                count += 1
    return [{"raw_event_type": status, "count": count}] if count else []
