"""Sorted views of a `PairTable` (sandbox.reports.table) that the report truth counts with
`np.searchsorted`: a period's pairs of a kind are then two binary searches, not a pass over every
pair.

* `first(kind, klass)`: the pairs' first times of a kind, sorted (`NEVER` last), of one bounce
  class if given (the pair's class).
* `every(kind, klass)`: every event of an `EVERY_KINDS` kind, sorted, of the event's own class if
  given.
* `cohort(base, kinds)`: the pairs sorted by their first time of `base` (delivered or sent),
  with their first times of `kinds` (and bounce class) in the same order: the pairs first
  delivered in a period are one slice, and the rates' numerators a count over that slice.
* `by_campaign(kind)`: the first times of a kind sorted within each campaign, and each campaign's
  slice (`bounds[c]:bounds[c + 1]`), for the engagement buckets and the campaign comparison.

Each view is built once, when first asked for, and kept with the table (`index_of`), so a
simulator that answers many report requests from one table sorts once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.reports.table import KIND_INDEX, PairTable

_ATTRIBUTE = "_pair_index"  # where `index_of` keeps a table's index


@dataclass(frozen=True)
class Cohort:
    """Pairs sorted by their first time of a base kind: `base` (sorted), `times[kind]` (each
    pair's first time of the kind, in the same order) and `klass` (bounce class, same order)."""

    base: np.ndarray
    times: dict[str, np.ndarray]
    klass: np.ndarray


@dataclass(frozen=True)
class CampaignTimes:
    """First times of a kind sorted within each campaign: campaign c's are
    `times[bounds[c]:bounds[c + 1]]` (`NEVER` last)."""

    times: np.ndarray
    bounds: np.ndarray


class PairIndex:
    """The sorted views of one `PairTable` (module docstring), each built on first use."""

    def __init__(self, table: PairTable) -> None:
        self.table = table
        self._views: dict[tuple[str, ...], object] = {}

    def _first_column(self, kind: str) -> np.ndarray:
        return self.table.first[:, KIND_INDEX[kind]]

    def first(self, kind: str, klass: int | None = None) -> np.ndarray:
        key = ("first", kind, str(klass))
        if key not in self._views:
            column = self._first_column(kind)
            if klass is not None:
                column = column[self.table.bounce_class == klass]
            self._views[key] = np.sort(column)
        return self._views[key]  # type: ignore[return-value]

    def every(self, kind: str, klass: int | None = None) -> np.ndarray:
        key = ("every", kind, str(klass))
        if key not in self._views:
            events = self.table.every[kind]
            at = events.at if klass is None else events.at[events.klass == klass]
            self._views[key] = np.sort(at)
        return self._views[key]  # type: ignore[return-value]

    def cohort(self, base: str, kinds: tuple[str, ...]) -> Cohort:
        key = ("cohort", base, *kinds)
        if key not in self._views:
            column = self._first_column(base)
            order = np.argsort(column, kind="stable")
            self._views[key] = Cohort(
                base=column[order],
                times={kind: self._first_column(kind)[order] for kind in kinds},
                klass=self.table.bounce_class[order],
            )
        return self._views[key]  # type: ignore[return-value]

    def by_campaign(self, kind: str) -> CampaignTimes:
        key = ("campaign", kind)
        if key not in self._views:
            order, bounds = self._campaign_order()
            times = self._first_column(kind)[order]
            for c in range(len(bounds) - 1):
                times[bounds[c] : bounds[c + 1]].sort()
            self._views[key] = CampaignTimes(times, bounds)
        return self._views[key]  # type: ignore[return-value]

    def _campaign_order(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows grouped by campaign (stable) and each campaign's bounds in that order."""
        key = ("campaign_order",)
        if key not in self._views:
            campaign = self.table.campaign
            order = np.argsort(campaign, kind="stable")
            counts = np.bincount(campaign, minlength=len(self.table.campaign_ids))
            bounds = np.concatenate(([0], np.cumsum(counts)))
            self._views[key] = (order, bounds)
        return self._views[key]  # type: ignore[return-value]


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
