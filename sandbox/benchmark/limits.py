"""Benchmark Email's request limits (PROVIDERS.md 4.6; docs/CONTRACTS.md 7.1): requests per
window (DOC: 3,600 per hour per account) on the wall clock, so a test can wait a window out, and
the monthly quota up to the next month of the world clock; with the injected faults `server_error_next`
(503) and `rate_limit_next` (429). Every counted request gets the `X-RateLimit-*` and
`X-Monthly-*` headers; a 429 carries `Retry-After` (seconds). Shares the simulator's lock."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from sandbox.benchmark.settings import BenchmarkError, BenchmarkSettings
from sandbox.clock import Clock
from sandbox.timeutil import add_months


class RequestLimits:
    """The counters of one account; `count` applies faults and limits to one request."""

    def __init__(
        self, clock: Clock, settings: Callable[[], BenchmarkSettings], lock: threading.Lock
    ) -> None:
        self.clock, self._settings, self._lock = clock, settings, lock
        self._window_start = time.time()
        self._window_used = 0
        self._monthly_used = 0

    def restart_window(self) -> None:
        """A new limit starts a new window (call with the lock held)."""
        self._window_used = 0
        self._window_start = time.time()

    def count(self) -> dict[str, str]:
        """Apply faults and limits to one authenticated request; its rate-limit headers."""
        with self._lock:
            settings = self._settings()
            if settings.server_error_next:
                settings.server_error_next -= 1
                raise BenchmarkError(
                    503, "ServiceUnavailableError", "Service temporarily unavailable"
                )
            now = time.time()
            if now - self._window_start >= settings.rate_window_seconds:
                self._window_start, self._window_used = now, 0
            reset = self._window_start + settings.rate_window_seconds
            wait = max(1, math.ceil(reset - now))
            if settings.rate_limit_next:
                settings.rate_limit_next -= 1
                wait = settings.retry_after_seconds
                raise too_many("Rate limit exceeded (injected)", wait)
            if self._window_used >= settings.hourly_limit:
                raise too_many(
                    f"Rate limit exceeded: {settings.hourly_limit} requests per window", wait
                )
            if self._monthly_used >= settings.monthly_limit:
                raise too_many("Monthly API quota exceeded", self._seconds_to_next_month())
            self._window_used += 1
            self._monthly_used += 1
            return {
                "X-RateLimit-Limit": str(settings.hourly_limit),
                "X-RateLimit-Remaining": str(settings.hourly_limit - self._window_used),
                "X-RateLimit-Reset": str(math.ceil(reset)),
                "X-Monthly-Limit": str(settings.monthly_limit),
                "X-Monthly-Remaining": str(settings.monthly_limit - self._monthly_used),
            }

    def _seconds_to_next_month(self) -> int:
        now = self.clock.now
        first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return max(1, int((add_months(first, 1) - now).total_seconds()))


def too_many(message: str, retry_after: int) -> BenchmarkError:
    """A 429 `TooManyRequestsError` with `Retry-After`."""
    return BenchmarkError(
        429, "TooManyRequestsError", message, headers={"Retry-After": str(retry_after)}
    )
