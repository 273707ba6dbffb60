"""The truth of human engagement (issue 16), for every provider.

A provider's truth reduces its visible opens and clicks, as the warehouse sees them, to an
`Engagement`: one entry per open or click (for Maxemail per aggregated row: the `opened` row at
its latest open, a `clicked` row per URL at its latest click, the `responded` row at the first
click), with its campaign, its recipient and its truth label (sandbox.machines: human or
machine). From it:

* `human_counts`: per campaign, the recipients with a human open / click and the latest human
  open / click (the campaign report's `human_*` columns);
* `machine_pairs`: per (campaign, recipient, kind) whether a machine and whether a human opened
  or clicked, and the first human one's time: the input of the precision and recall of the
  warehouse's flags. A pair is
  "engaged by machines only" when `has_machine and not has_human`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

OPEN, CLICK = 0, 1
KIND_NAMES = ("opened", "clicked")


@dataclass(frozen=True)
class Engagement:
    """Visible opens and clicks (parallel arrays) with their truth label."""

    campaign_ids: Sequence[str]  # by campaign index
    campaign: np.ndarray  # int, index into campaign_ids
    recipient: np.ndarray  # int64, provider's recipient code
    kind: np.ndarray  # int8, OPEN or CLICK
    at_ms: np.ndarray  # int64 (what the warehouse sees)
    machine: np.ndarray  # bool: a machine's event
    recipient_text: Callable[[np.ndarray], list[str]]  # codes -> lower-cased addresses

    @classmethod
    def join(cls, parts: Sequence[Engagement]) -> Engagement:
        """Parts with the same campaign ids and recipient codes, concatenated."""
        joined = {n: np.concatenate([getattr(p, n) for p in parts]) for n in _ARRAYS}
        first = parts[0]
        return cls(campaign_ids=first.campaign_ids, recipient_text=first.recipient_text, **joined)


_ARRAYS = ("campaign", "recipient", "kind", "at_ms", "machine")


def human_counts(e: Engagement, n: int) -> dict[str, np.ndarray]:
    """Per campaign index (n of them): `opened`/`clicked` = recipients with a human open /
    click, `last_opened`/`last_clicked` = the latest human one (ms, -1 when none)."""
    result: dict[str, np.ndarray] = {}
    for kind, name in ((OPEN, "opened"), (CLICK, "clicked")):
        mask = (e.kind == kind) & ~e.machine
        keys = np.unique(e.campaign[mask].astype(np.int64) << 40 | e.recipient[mask])
        result[name] = np.bincount((keys >> 40).astype(np.int64), minlength=n)
        latest = np.full(n, -1, np.int64)
        np.maximum.at(latest, e.campaign[mask].astype(np.int64), e.at_ms[mask])
        result[f"last_{name}"] = latest
    return result


def machine_pairs(e: Engagement) -> list[dict[str, Any]]:
    """Per (campaign, recipient, kind) engaged at all: has_machine, has_human, and
    `first_human_ms`, the earliest human open / click as the warehouse sees it (epoch ms; None
    when none); sorted."""
    if not len(e.kind):
        return []
    key = (e.campaign.astype(np.int64) << 41) | (e.recipient << 1) | e.kind
    order = np.argsort(key, kind="stable")
    key, machine = key[order], e.machine[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    has_machine = np.logical_or.reduceat(machine, starts)
    has_human = np.logical_or.reduceat(~machine, starts)
    never = np.iinfo(np.int64).max
    human_at = np.where(machine, never, e.at_ms[order].astype(np.int64))
    first_human = np.minimum.reduceat(human_at, starts)
    keys = key[starts]
    texts = e.recipient_text((keys >> 1) & ((1 << 40) - 1))
    rows = [
        {
            "campaign_id": e.campaign_ids[c],
            "recipient": text,
            "kind": KIND_NAMES[k],
            "has_machine": bool(m),
            "has_human": bool(h),
            "first_human_ms": None if f == never else f,
        }
        for c, text, k, m, h, f in zip(
            (keys >> 41).tolist(),
            texts,
            (keys & 1).tolist(),
            has_machine.tolist(),
            has_human.tolist(),
            first_human.tolist(),
            strict=True,
        )
    ]
    rows.sort(key=lambda r: (r["campaign_id"], r["recipient"], r["kind"]))
    return rows


def human_report_columns(
    counts: dict[str, np.ndarray], c: int, format_ms: Callable[[int], str | None]
) -> dict[str, Any]:
    """The `human_*` keyword arguments of `report_row` for campaign index c."""
    opened, clicked = int(counts["last_opened"][c]), int(counts["last_clicked"][c])
    return {
        "human_opened": int(counts["opened"][c]),
        "last_human_opened_at": None if opened < 0 else format_ms(opened),
        "human_clicked": int(counts["clicked"][c]),
        "last_human_clicked_at": None if clicked < 0 else format_ms(clicked),
    }


def link_human_counts(
    link: np.ndarray, recipient: np.ndarray, machine: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per link code (below `size`), of the clicks that are no machine's: the distinct
    recipients (`human_unique_click_count`) and the clicks (`human_total_click_count`)."""
    human = ~machine
    links, people = link[human].astype(np.int64), recipient[human].astype(np.int64)
    totals = np.bincount(links, minlength=size)
    span = int(people.max()) + 1 if len(people) else 1
    unique = np.bincount(np.unique(links * span + people) // span, minlength=size)
    return unique, totals
