"""The world clock: epoch milliseconds that only move forward, shared by every simulator.

The world is fixed once built; only this clock moves (`advance`, `set_now`, or
`POST /_sandbox/clock`), which is how later events become visible (docs/CONTRACTS.md 2). Every
response's `Date` header reads it.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sandbox.timeutil import from_ms, to_ms


class Clock:
    """A thread-safe world clock starting at `start_ms` (epoch ms)."""

    def __init__(self, start_ms: int) -> None:
        self._now_ms = start_ms
        self._lock = threading.Lock()

    @property
    def now(self) -> datetime:
        """The world clock (aware UTC)."""
        return from_ms(self.now_ms)

    @property
    def now_ms(self) -> int:
        with self._lock:
            return self._now_ms

    def advance(self, hours: float) -> datetime:
        """Move the clock forward by `hours` (>= 0); returns the new time."""
        if hours < 0:
            raise ValueError("the world clock only moves forward")
        with self._lock:
            self._now_ms += round(hours * 3_600_000)
        return self.now

    def set_now(self, when: datetime) -> datetime:
        """Set the clock to `when` (aware, not before the current clock); returns it."""
        if when.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware datetime")
        target = to_ms(when)
        with self._lock:
            if target < self._now_ms:
                raise ValueError(
                    f"the world clock only moves forward (now {from_ms(self._now_ms)})"
                )
            self._now_ms = target
        return self.now
