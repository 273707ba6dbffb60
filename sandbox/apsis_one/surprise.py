"""APSIS One's surprise (docs/CONTRACTS.md 14; the overview is sandbox/surprises.py): with
`unknown_event_every` n > 0, every `OPENED` event picked by its correlation id comes with one more
export row, a copy of the open whose `type` is `unknown_event_type` (default `FORWARDED`) and
whose `correlation_id` ends in `-u`; retries are not copied. The setting is read when an export
is requested: the count assumes it held for every export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.apsis_one.model import OPENED, ApsisEvent
from sandbox.surprises import picked

UNKNOWN_TYPE = "FORWARDED"
COPY_SUFFIX = "-u"


def unknown_copy(event: ApsisEvent, every: int) -> bool:
    """Whether an APSIS export carries a copy of ``event`` with the unknown type."""
    return event.type == OPENED and picked(event.correlation_id, every)


def unknown_counts(
    events: Iterable[ApsisEvent], now_ms: int, event_type: str, every: int
) -> list[dict[str, Any]]:
    """The truth's `unmapped_event_types`: the copies of events visible at the clock (their
    first copy is available before it)."""
    count = sum(1 for e in events if e.available_ms < now_ms and unknown_copy(e, every))
    return [{"raw_event_type": event_type, "count": count}] if count else []
