"""Known gaps: what a load knows it did not load, why, and how to accept it (docs/CONTRACTS.md 13).

A source that cannot load part of the range it was asked for (a provider's retention ends before
the position it resumes from, its `start_date` or `--since`) reports a `Gap` with `report` and
loads what the provider still serves. Whether its position moves past the gap is the caller's
`allow_gaps` setting (the `--allow-gaps` flag or `sources.<provider>.allow_gaps`):

* accepted: the position moves on as usual; the load summary lists the gap; exit code 0.
* not accepted: the position stays where it was, so the next run meets the same gap (and can
  accept it then); the runner raises `IncompleteLoad` after committing what was loaded, and the
  command line prints `message` as one `error:` line and exits 1.

A gap is only what no re-run can fill. A failure a re-run can repair (a listing or a file short of
the count the provider reported, an export in status error) stays an error: the load fails, its
package is discarded and the next run reads the same range again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Gap:
    """A range of one resource a load did not load, because the provider no longer serves it."""

    provider: str  # display name, "Netcore"
    source: str  # the dlt source (its settings section), "netcore"
    what: str  # "events requested on"
    first: str  # the first missing day or instant, as the provider counts them
    last: str  # the last missing day, or the instant the loaded range starts
    reason: str  # "are older than Netcore's 90-day event-log retention"
    accepted: bool = False  # by `--allow-gaps` / `sources.<source>.allow_gaps`

    def describe(self) -> str:
        return f"{self.what} {self.first}..{self.last} {self.reason}"


# Gaps reported by the current extract; the runner takes them after each load (runner.py).
FOUND: list[Gap] = []


def report(gap: Gap) -> bool:
    """Record ``gap`` for the load summary; True when it is accepted (the caller may then move
    its position past the gap), False when the position must stay before it."""
    FOUND.append(gap)
    logger.warning(
        "%s: %s; %s",
        gap.provider,
        gap.describe(),
        "accepted: the position moves past it"
        if gap.accepted
        else "not accepted: the rest is loaded and the position stays before it",
    )
    return gap.accepted


def take() -> list[Gap]:
    """The gaps reported since the last call, once each."""
    found, FOUND[:] = list(FOUND), []
    return found


def message(gaps: list[Gap]) -> str:
    """One line for a load with gaps not accepted: what is missing and how to recover."""
    open_gaps = [g for g in gaps if not g.accepted]
    provider, source = open_gaps[0].provider, open_gaps[0].source
    return (
        f"{provider}: incomplete load: {'; '.join(g.describe() for g in open_gaps)}. The rest "
        "was loaded and the position kept before the gap, so every run reports it until it is "
        f"accepted: re-run with --allow-gaps (or set sources.{source}.allow_gaps = true); load "
        "more often to avoid gaps"
    )
