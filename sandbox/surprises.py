"""Surprises a real account brings, served on request (docs/CONTRACTS.md 14): an event type or a
status the project does not map yet, and a Maxemail export column it does not declare.

They are faults on top of the world, not part of it: the world's events, every report the
simulators compute and every ground-truth number of the known event kinds stay exactly as they
are without the surprise. What the surprise adds is counted here, in Python, for the truth key
`unmapped_event_types` (`[{"raw_event_type", "count"}]`, the logical events a full load at the
world clock receives), which the dbt quarantine warning must name.

* APSIS One (`unknown_event_every` n > 0, `unknown_event_type`, default `FORWARDED`): every
  `OPENED` event picked by its correlation id comes with one more export row, a copy of the open
  whose `type` is the new one and whose `correlation_id` ends in `-u`; retries are not copied.
  The setting is read when an export is requested: the count assumes it held for every export.
* Netcore (`unknown_status_every` n > 0, `unknown_status`, default `inbox`): every message
  picked by its `trid` whose whole life ends at `delivered` (never opened, clicked, unsubscribed
  or reported) shows the new status instead of `delivered` once delivered, in the events API and
  the Download Logs file; `deliveryTime` stays. A status it keeps for good, so the count does not
  depend on when it was read. Stats are counted from the world, as before.
* Maxemail (`extra_column`, a CSV header; "" = off): every export file has one more column,
  after `email address`, whose cell is `extra_column_value(email id)`.

Picking is a CRC-32 of a stable id modulo n (not Python's salted `hash`), so the same world and
settings give the same rows on every machine.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from sandbox.entities import OPENED, ApsisEvent
from sandbox.netcore_events import DELIVERED, MessageState, NetcoreMessage, NetcoreWorld, state_at

APSIS_UNKNOWN_TYPE = "FORWARDED"
NETCORE_UNKNOWN_STATUS = "inbox"
APSIS_COPY_SUFFIX = "-u"


def picked(key: str, every: int) -> bool:
    """Whether the item with this stable id is one of the every-n-th (never when n <= 0)."""
    return every > 0 and zlib.crc32(key.encode("utf-8")) % every == 0


def apsis_unknown_copy(event: ApsisEvent, every: int) -> bool:
    """Whether an APSIS export carries a copy of ``event`` with the unknown type."""
    return event.type == OPENED and picked(event.correlation_id, every)


def apsis_unknown_counts(
    events: Iterable[ApsisEvent], now_ms: int, event_type: str, every: int
) -> list[dict[str, Any]]:
    """The truth's `unmapped_event_types` for APSIS One: the copies of events visible at the
    clock (their first copy is available before it)."""
    count = sum(1 for e in events if e.available_ms < now_ms and apsis_unknown_copy(e, every))
    return [{"raw_event_type": event_type, "count": count}] if count else []


def netcore_unknown(message: NetcoreMessage, every: int) -> bool:
    """Whether ``message`` shows the unknown status once delivered: its life ends there."""
    return (
        message.outcome == DELIVERED
        and not message.opens
        and not message.clicks
        and not message.final
        and picked(str(message.trid), every)
    )


def netcore_shows_unknown(state: MessageState, every: int) -> bool:
    """Whether ``state`` (a message at the clock) shows the unknown status instead of its own."""
    return state.status == DELIVERED and netcore_unknown(state.message, every)


def netcore_unknown_counts(
    world: NetcoreWorld, now_ms: int, status: str, every: int
) -> list[dict[str, Any]]:
    """The truth's `unmapped_event_types` for Netcore: one status event per message that shows
    the unknown status at the clock."""
    count = 0
    if every > 0:
        for message in world.messages:
            state = state_at(message, now_ms)
            if state is not None and netcore_shows_unknown(state, every):
                count += 1
    return [{"raw_event_type": status, "count": count}] if count else []


def extra_column_value(email_id: str) -> str:
    """The cell of Maxemail's extra column in a row of message ``email_id``."""
    return f"list-{email_id}"
