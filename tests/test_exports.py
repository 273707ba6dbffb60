"""Export polling: capped exponential backoff and an overall deadline (pure function)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pipelines.common.errors import ProviderError
from pipelines.common.exports import poll_until_done


def test_waits_double_up_to_the_cap_until_done() -> None:
    statuses = iter(["queued"] * 6 + ["completed"])
    waits: list[float] = []
    status, polls = poll_until_done(
        lambda: {"status": next(statuses)},
        lambda s: s["status"] == "completed",
        provider="APSIS One",
        what="export 1",
        initial_seconds=0.5,
        max_seconds=4,
        sleep=waits.append,
    )
    assert status == {"status": "completed"} and polls == 7
    assert waits == [0.5, 1, 2, 4, 4, 4]


def test_gives_up_at_the_deadline_naming_the_job() -> None:
    waits: list[float] = []

    def status() -> dict[str, Any]:
        return {"status": "in_progress"}

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with pytest.raises(ProviderError) as info:
        poll_until_done(
            status,
            lambda s: False,
            provider="APSIS One",
            what="export r-9 (2026-01-01..2026-02-01)",
            initial_seconds=0.01,
            max_seconds=0.02,
            deadline_seconds=0.1,
            sleep=sleep,
        )
    message = str(info.value)
    assert message.startswith("APSIS One: export r-9 (2026-01-01..2026-02-01) not finished")
    assert "'in_progress'" in message and "deadline" in message
    assert 3 <= len(waits) <= 12
