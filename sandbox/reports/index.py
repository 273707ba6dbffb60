"""Sorted views of a `PairTable` (sandbox.reports.table) that the report truth counts with
`np.searchsorted`: a period's pairs of a kind are then two binary searches, not a pass over every
pair.

* `first(kind, klass)`: the first times of a kind of the pairs that have one, sorted, of one
  bounce class if given (the pair's class).
* `every(kind, klass)`: every event of an `EVERY_KINDS` kind, sorted, of the event's own class if
  given.
* `cohort(base)`: the pairs sorted by their first time of `base` (delivered or sent), with their
  first times of the rates' numerator kinds (`COHORT_KINDS`) and bounce class in the same order:
  the pairs first delivered in a period are one slice, and the rates' numerators a count over
  that slice.
* `by_campaign(kind)`: the first times of a kind sorted within each campaign, and each campaign's
  slice (`bounds[c]:bounds[c + 1]`), for the engagement buckets; `campaign_first(kind)` each
  campaign's earliest first time of a kind.

Each view is built once, when first asked for, and kept with the table (`index_of`), so a
simulator that answers many report requests from one table sorts once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.reports.pairs import (
    BOUNCED,
    CLICKED,
    DELIVERED,
    HUMAN_CLICKED,
    HUMAN_OPENED,
    OPENED,
    SENT,
)
from sandbox.reports.table import NEVER, PairTable

_ATTRIBUTE = "_pair_index"  # where `index_of` keeps a table's index
# a cohort's base kind -> the kinds of its rates' numerators (sandbox.reports.counts.RATES)
COHORT_KINDS = {DELIVERED: (OPENED, CLICKED, HUMAN_OPENED, HUMAN_CLICKED), SENT: (BOUNCED,)}


@dataclass(frozen=True)
class Cohort:
    """The pairs with an event of a base kind, sorted by its first time: `base` (sorted),
    `times[kind]` (each pair's first time of the kind, `NEVER` when none, in the same order) and
    `klass` (bounce class, same order)."""

    base: np.ndarray
    times: dict[str, np.ndarray]
    klass: np.ndarray


@dataclass(frozen=True)
class CampaignTimes:
    """First times of a kind sorted within each campaign (of the pairs that have one): campaign
    c's are `times[bounds[c]:bounds[c + 1]]`."""

    times: np.ndarray
    bounds: np.ndarray


class PairIndex:
    """The sorted views of one `PairTable` (module docstring), each built on first use."""

    def __init__(self, table: PairTable) -> None:
        self.table = table
        self._views: dict[tuple[str, ...], object] = {}

    def _first_column(self, kind: str) -> np.ndarray:
        return self.table.at(kind)

    def first(self, kind: str, klass: int | None = None) -> np.ndarray:
        if kind in COHORT_KINDS and klass is None:
            return self.cohort(kind).base  # the same sorted times
        key = ("first", kind, str(klass))
        if key not in self._views:
            rows = self._rows_with(kind)
            if klass is not None:
                rows = rows[self.table.bounce_class[rows] == klass]
            self._views[key] = np.sort(self._first_column(kind)[rows])
        return self._views[key]  # type: ignore[return-value]

    def every(self, kind: str, klass: int | None = None) -> np.ndarray:
        key = ("every", kind, str(klass))
        if key not in self._views:
            events = self.table.every[kind]
            at = events.at if klass is None else events.at[events.klass == klass]
            self._views[key] = np.sort(at)
        return self._views[key]  # type: ignore[return-value]

    def cohort(self, base: str) -> Cohort:
        key = ("cohort", base)
        if key not in self._views:
            rows = self._rows_with(base)
            rows = rows[np.argsort(self._first_column(base)[rows])]
            self._views[key] = Cohort(
                base=self._first_column(base)[rows],
                times={kind: self._first_column(kind)[rows] for kind in COHORT_KINDS[base]},
                klass=self.table.bounce_class[rows],
            )
        return self._views[key]  # type: ignore[return-value]

    def by_campaign(self, kind: str) -> CampaignTimes:
        key = ("campaign", kind)
        if key not in self._views:
            rows = self._rows_with(kind)
            campaign = self.table.campaign[rows]
            rows = rows[np.argsort(campaign, kind="stable")]  # grouped by campaign
            counts = np.bincount(campaign, minlength=len(self.table.campaign_ids))
            bounds = np.concatenate(([0], np.cumsum(counts)))
            times = self._first_column(kind)[rows]
            for c in range(len(bounds) - 1):
                times[bounds[c] : bounds[c + 1]].sort()
            self._views[key] = CampaignTimes(times, bounds)
        return self._views[key]  # type: ignore[return-value]

    def campaign_first(self, kind: str) -> np.ndarray:
        """Per campaign, the earliest first time of the kind (`NEVER` when none)."""
        key = ("campaign_first", kind)
        if key not in self._views:
            earliest = np.full(len(self.table.campaign_ids), NEVER, np.int64)
            np.minimum.at(earliest, self.table.campaign, self._first_column(kind))
            self._views[key] = earliest
        return self._views[key]  # type: ignore[return-value]

    def _rows_with(self, kind: str) -> np.ndarray:
        """The rows of the pairs with an event of the kind (the others never count)."""
        return np.flatnonzero(self._first_column(kind) != NEVER)


def index_of(table: PairTable) -> PairIndex:
    """The table's `PairIndex`, made on first use and kept with the table."""
    index = table.__dict__.get(_ATTRIBUTE)
    if index is None:
        index = PairIndex(table)
        object.__setattr__(table, _ATTRIBUTE, index)  # a cache, not a field: eq/repr ignore it
    return index


def count_in(sorted_times: np.ndarray, start: int, end: int) -> int:
    """How many of the sorted times fall in `[start, end)`."""
    low, high = np.searchsorted(sorted_times, (start, end))
    return int(high - low)
