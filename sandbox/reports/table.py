"""The (campaign, recipient) pairs as columns: the facts of `PairFacts` (sandbox.reports.pairs) in
NumPy arrays, so the report truth of a world of tens of millions of events is counted with array
operations instead of a Python object per pair.

A provider's truth builds a `PairTable` straight from its columnar world (`pair_table()` in
sandbox/<provider>/truth.py); `PairTable.from_facts` converts a list of `PairFacts` (small worlds,
tests) to the same table. The report truth (sandbox.reports.truth, sandbox.reports.overall) reads
only this table.

Layout (n pairs):

* `campaign_ids`: the campaigns' ids, sorted; `campaign[i]` is pair i's index into it (int32).
* `recipient[i]`: the pair's recipient as a provider-chosen int64 code (identity only: the reports
  count pairs, never look recipients up).
* `first[i, k]`: epoch ms of the pair's first event of `KINDS[k]`, `NEVER` when it has none (so a
  comparison `first < end` excludes it without a mask).
* `bounce_class[i]`: `NO_BOUNCE`, `SOFT` or `HARD` (hard beats soft; informational bounces are no
  bounces).
* `human[i, h]`: epoch ms of the pair's first human event of `HUMAN_KINDS[h]` (issue 16), `NEVER`
  when it has none; `None` for a table built without truth labels (every open and click human).
* `every[kind]` for kind in `EVERY_KINDS`: every event of that kind, as parallel arrays `pair`
  (row in the table), `at` (epoch ms) and `klass` (`SOFT`/`HARD` for bounces, `NO_BOUNCE` else).

`as_table(pairs)` is what every report-truth entry point calls: a `PairTable` as it is, a list of
`PairFacts` converted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.reports.pairs import EVERY_KINDS, HUMAN_KINDS, HUMAN_OF, KINDS, PairFacts

NEVER = np.iinfo(np.int64).max
KIND_INDEX = {kind: k for k, kind in enumerate(KINDS)}
NO_BOUNCE, SOFT, HARD = 0, 1, 2
CLASS_CODES = {None: NO_BOUNCE, "soft": SOFT, "hard": HARD}
CLASS_NAMES = {code: name for name, code in CLASS_CODES.items()}


@dataclass(frozen=True)
class EveryEvents:
    """Every event of one kind: its pair's row, time (epoch ms) and class code."""

    pair: np.ndarray  # int64
    at: np.ndarray  # int64
    klass: np.ndarray  # int8

    @classmethod
    def empty(cls) -> EveryEvents:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int8))


@dataclass(frozen=True)
class PairTable:
    """One row per (campaign, recipient) pair; see the module docstring for the layout."""

    campaign_ids: tuple[str, ...]
    campaign: np.ndarray  # int32, index into campaign_ids
    recipient: np.ndarray  # int64, provider-chosen code
    first: np.ndarray  # int64, shape (n, len(KINDS)); NEVER when absent
    bounce_class: np.ndarray  # int8
    every: dict[str, EveryEvents] = field(default_factory=dict)
    human: np.ndarray | None = None  # int64, shape (n, len(HUMAN_KINDS))

    def __post_init__(self) -> None:
        n = len(self.campaign)
        if self.first.shape != (n, len(KINDS)):
            raise ValueError(f"PairTable.first must have shape ({n}, {len(KINDS)})")
        if len(self.recipient) != n or len(self.bounce_class) != n:
            raise ValueError("PairTable columns must have one value per pair")
        for kind in EVERY_KINDS:
            self.every.setdefault(kind, EveryEvents.empty())
        if self.human is not None and self.human.shape != (n, len(HUMAN_KINDS)):
            raise ValueError(f"PairTable.human must have shape ({n}, {len(HUMAN_KINDS)})")

    def __len__(self) -> int:
        return len(self.campaign)

    def at(self, kind: str) -> np.ndarray:
        """The first times of `kind` (`KINDS` or `HUMAN_KINDS`), one per pair (`NEVER` where
        absent)."""
        if kind in HUMAN_OF:
            if self.human is None:
                return self.first[:, KIND_INDEX[HUMAN_OF[kind]]]
            return self.human[:, HUMAN_KINDS.index(kind)]
        return self.first[:, KIND_INDEX[kind]]

    @classmethod
    def from_facts(cls, facts: Sequence[PairFacts]) -> PairTable:
        """The table of a list of `PairFacts` (recipient codes follow the sorted addresses)."""
        campaign_ids = tuple(sorted({p.campaign_id for p in facts}))
        campaign_index = {c: i for i, c in enumerate(campaign_ids)}
        recipient_index = {r: i for i, r in enumerate(sorted({p.recipient for p in facts}))}
        first = np.full((len(facts), len(KINDS)), NEVER, dtype=np.int64)
        labelled = any(p.labelled for p in facts)
        human = np.full((len(facts), len(HUMAN_KINDS)), NEVER, np.int64) if labelled else None
        every: dict[str, list[tuple[int, int, int]]] = {kind: [] for kind in EVERY_KINDS}
        for row, pair in enumerate(facts):
            for kind, at in pair.first.items():
                if kind in HUMAN_OF:
                    if human is not None:
                        human[row, HUMAN_KINDS.index(kind)] = at
                    continue
                first[row, KIND_INDEX[kind]] = at
            for kind, events in pair.every.items():
                if kind not in every:  # only the histogram's `EVERY_KINDS` are read
                    continue
                every[kind].extend((row, at, CLASS_CODES[klass]) for at, klass in events)
        return cls(
            campaign_ids=campaign_ids,
            campaign=np.fromiter(
                (campaign_index[p.campaign_id] for p in facts), np.int32, len(facts)
            ),
            recipient=np.fromiter(
                (recipient_index[p.recipient] for p in facts), np.int64, len(facts)
            ),
            first=first,
            bounce_class=np.fromiter(
                (CLASS_CODES[p.bounce_class] for p in facts), np.int8, len(facts)
            ),
            every={
                kind: EveryEvents(
                    np.array([e[0] for e in rows], np.int64),
                    np.array([e[1] for e in rows], np.int64),
                    np.array([e[2] for e in rows], np.int8),
                )
                for kind, rows in every.items()
            },
            human=human,
        )


Pairs = PairTable | Sequence[PairFacts]  # what the report truth's entry points accept


def as_table(pairs: Pairs) -> PairTable:
    """`pairs` as a `PairTable` (a list of `PairFacts` converted with `PairTable.from_facts`).

    The last list converted is remembered with its table, so a simulator that passes the same
    list to several report functions converts it once: a list of `PairFacts` must not change
    once passed (the providers' `pairs()` make a new one per clock)."""
    global _last_converted
    if isinstance(pairs, PairTable):
        return pairs
    last = _last_converted  # one read: another thread may replace it meanwhile
    if last is not None and last[0] is pairs and last[1] == len(pairs):
        return last[2]
    table = PairTable.from_facts(list(pairs))
    _last_converted = (pairs, len(pairs), table)
    return table


_last_converted: tuple[Any, int, PairTable] | None = None  # the last list, its length, its table
