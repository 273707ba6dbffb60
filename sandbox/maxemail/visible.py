"""The events visible at a clock, as columns, with the keys Maxemail's truth groups them by
(sandbox.maxemail.truth, sandbox.maxemail.pairs).

A recipient is identified as the truth and the marts see it: its lower-cased address, which for
an SMS is the phone number, so a person mailed and texted is two recipients. `who` numbers those
identities (email addresses first, then phone numbers, by recipient row) and `who_text` /
`who_rank` give back the text and its sort rank. A (message, who) pair is `pair`.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import cached_property

import numpy as np

from sandbox.maxemail.localtime import LocalTime
from sandbox.maxemail.model import KIND_CODE, MaxemailWorld


def bounce_code(reason: str) -> int | None:
    """Digits of the leading token of a bounce reason (`5.1.1 user unknown` → 511, `0000 …` → 0)."""
    token = reason.strip().split(" ", 1)[0]
    digits = "".join(c for c in token if c.isdigit())
    return int(digits) if digits else None


def bounce_class(bounce_type: str, reason: str) -> str:
    """`hard`, `soft` or `block` (docs/CONTRACTS.md 5.3)."""
    code = bounce_code(reason)
    if code is not None and 400 <= code <= 499:
        return "soft"
    if code is not None and 570 <= code <= 579:
        return "block"
    if code is not None and 500 <= code <= 599:
        return "hard"
    return "hard" if bounce_type.strip().lower() == "permanent" else "soft"


def who_texts(world: MaxemailWorld) -> np.ndarray:
    """Lower-cased address of every identity (object array: emails, then phone numbers)."""

    def build() -> np.ndarray:
        n = len(world.recipients)
        texts = [world.address(i, False).lower() for i in range(n)]
        texts += [world.address(i, True).lower() for i in range(n)]
        return np.array(texts, dtype=object)

    return world.cached("who_texts", build)  # type: ignore[no-any-return]


def who_rank(world: MaxemailWorld) -> np.ndarray:
    """Sort rank of every identity's text."""

    def build() -> np.ndarray:
        texts = who_texts(world)
        rank = np.empty(len(texts), np.int64)
        rank[np.argsort(texts, kind="stable")] = np.arange(len(texts))
        return rank

    return world.cached("who_rank", build)  # type: ignore[no-any-return]


class Visible:
    """The world's events visible at `now_ms` (columns in generation order) and their keys."""

    def __init__(self, world: MaxemailWorld, now_ms: int, zone: tzinfo) -> None:
        c = world.columns
        self.world, self.now_ms = world, now_ms
        visible = c.available_ms < now_ms
        self.kind, self.message = c.kind[visible], c.message[visible]
        self.at_s, self.detail = c.at_s[visible], c.detail[visible]
        self.machine = c.machine[visible]  # truth label (sandbox.machines), 0 = human
        n = len(world.recipients)
        self.who = (
            c.recipient[visible] + (n * world.message_codes("sms")).astype(np.int32)[self.message]
        )
        self.pair = self.message.astype(np.int64) * (2 * max(n, 1)) + self.who
        low, high = (int(self.at_s.min()), int(self.at_s.max())) if len(self.at_s) else (0, 0)
        self.clock = LocalTime(zone, low, high)
        self.read_back_s = self.clock.read_back_s(self.at_s)
        classes = [bounce_class(kind, reason) for kind, reason in world.bounces]
        self.bounce_hard = np.array([k == "hard" for k in classes], bool)

    @cached_property
    def available_ms(self) -> np.ndarray:
        """When each visible event became visible (only the truth of several reads needs it)."""
        available = self.world.columns.available_ms
        return available[available < self.now_ms]  # type: ignore[no-any-return]

    @cached_property
    def by_pair(self) -> np.ndarray:
        """The visible events' positions sorted by pair (generation order within a pair)."""
        return np.argsort(self.pair, kind="stable")

    def grouped(self, mask: np.ndarray) -> np.ndarray:
        """Positions of the masked events, sorted by pair (a filter of `by_pair`, no sort)."""
        return self.by_pair[mask[self.by_pair]]  # type: ignore[no-any-return]

    def of(self, kind: str) -> np.ndarray:
        """Mask of the visible events of one kind."""
        return self.kind == KIND_CODE[kind]  # type: ignore[no-any-return]

    def feedback(self) -> np.ndarray:
        """Mask of the feedback unsubscribes (complaints)."""
        code = self.world.unsubscribe_kinds.index("feedback")
        return self.of("unsubscribe") & (self.detail == code)  # type: ignore[no-any-return]

    def campaign_rank(self) -> np.ndarray:
        """Per message row: the rank of its email id as text (campaign ids sort as text)."""
        ids = np.array([str(m.email_id) for m in self.world.messages], dtype=object)
        rank = np.empty(len(ids), np.int64)
        rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
        return rank


def run_starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in `keys` (sorted, or grouped)."""
    if not len(keys):
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def reduce_runs(
    ufunc: np.ufunc, keys: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per run of equal `keys` (grouped): the key and `ufunc` of its values."""
    starts = run_starts(keys)
    if not len(starts):
        return keys[:0], values[:0]
    return keys[starts], ufunc.reduceat(values, starts)


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sorting is faster here than np.unique's hashing)."""
    ordered = np.sort(values)
    return ordered[run_starts(ordered)]  # type: ignore[no-any-return]


def naive_utc_texts(seconds: np.ndarray) -> list[str]:
    """`YYYY-MM-DDTHH:MM:SS` of epoch seconds (naive UTC text)."""
    return np.datetime_as_string(seconds.astype("datetime64[s]")).tolist()  # type: ignore[no-any-return]
