"""Asynchronous export jobs: poll with capped exponential backoff under an overall deadline."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from pipelines.common.errors import ProviderError

logger = logging.getLogger(__name__)


def poll_until_done(
    fetch_status: Callable[[], dict[str, Any]],
    is_done: Callable[[dict[str, Any]], bool],
    *,
    provider: str,
    what: str,
    initial_seconds: float = 1.0,
    max_seconds: float = 30.0,
    deadline_seconds: float = 3600.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, Any], int]:
    """Call ``fetch_status`` until ``is_done`` holds; return the last status and the poll count.

    The wait doubles from ``initial_seconds`` up to ``max_seconds``. Past ``deadline_seconds``
    the job is abandoned with an error naming it (the provider may still finish it; a re-run
    requests the window again).
    """
    started = time.monotonic()
    delay = initial_seconds
    polls = 0
    while True:
        status = fetch_status()
        polls += 1
        if is_done(status):
            return status, polls
        elapsed = time.monotonic() - started
        if elapsed + delay > deadline_seconds:
            raise ProviderError(
                provider,
                f"{what} not finished after {elapsed:.0f} s and {polls} polls "
                f"(last status {status.get('status')!r}); deadline is {deadline_seconds:.0f} s",
            )
        logger.debug(
            "%s: %s is %s, next poll in %.1f s", provider, what, status.get("status"), delay
        )
        sleep(delay)
        delay = min(delay * 2, max_seconds)
