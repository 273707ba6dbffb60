"""Ground truth of APSIS One (`GET /_sandbox/truth/apsis_one`, docs/CONTRACTS.md 4, 8-10, 14).

Computed straight from the world's event columns with NumPy, never from an export file, with
the definitions of docs/CONTRACTS.md section 4: an event counts once visible (`available_at` of
its first copy before the clock); counts are distinct lower-cased addresses per main activity;
hard bounce beats soft/block/unknown; informational (5xxx) bounces are no bounces (but still
`bounced` logical events in `event_counts`); rates are percentages of delivered. The report
marts' pairs (`pair_table`, sandbox.apsis_one.pairs) and campaigns (`campaigns`) are APSIS One's
mapping onto the shared report definitions (sandbox.reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from sandbox.apsis_one.human import engagement
from sandbox.apsis_one.model import CANONICAL_TYPES, TYPES, Campaign
from sandbox.apsis_one.pairs import pair_table
from sandbox.apsis_one.surprise import unknown_counts
from sandbox.apsis_one.visible import HARD, SOFT, Visible, first_per_group, naive_texts
from sandbox.apsis_one.world import ApsisWorld
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.human import (
    Engagement,
    human_counts,
    human_report_columns,
    link_human_counts,
    machine_pairs,
)
from sandbox.reports.marts import (
    COMPLAINED,
    HARD_BOUNCE,
    REPEATED_SOFT_BOUNCE,
    SOFT_BOUNCE_THRESHOLD,
    UNSUBSCRIBED,
)
from sandbox.reports.overall import CampaignFacts
from sandbox.reports.params import report_params
from sandbox.timeutil import from_ms, rfc3339, to_ms

EVENT_TYPE_ORDER = tuple(CANONICAL_TYPES.values())
CODE = {name: code for code, name in enumerate(TYPES)}


def truth(
    world: ApsisWorld,
    now_ms: int,
    query: Mapping[str, str] | None,
    unknown_type: str,
    unknown_every: int,
) -> dict[str, Any]:
    """The whole truth document at `now_ms` (`query`: the report parameters; the surprise
    settings give `unmapped_event_types`)."""
    visible = Visible.at_clock(world, now_ms)
    return truth_document(
        apsis_one_truth(world, now_ms, visible),
        pair_table(world, now_ms, visible),
        campaigns(world.campaigns),
        report_params(query, now_ms),
        unknown_counts(world, visible, unknown_type, unknown_every),
    )


def apsis_one_truth(
    world: ApsisWorld, now_ms: int, visible: Visible | None = None
) -> dict[str, Any]:
    """The campaign report's keys: `now`, `campaign_report` and `event_counts`, by campaign id,
    plus the marts' `link_activity` and `suppressions` (sandbox.reports.marts)."""
    v = visible or Visible.at_clock(world, now_ms)
    e = engagement(world, v)
    return {
        "now": rfc3339(from_ms(now_ms)),
        **_reports(v, e),
        "link_activity": _link_activity(world, v),
        "suppressions": _suppressions(v),
        "machine_pairs": machine_pairs(e),
    }


def _distinct(v: Visible, pairs: np.ndarray, n: int) -> np.ndarray:
    """Per campaign index: how many of the given pairs (a mask over pairs) it has."""
    return np.bincount(v.pair_campaign[pairs], minlength=n)


def _texts(ms: int) -> str:
    return str(naive_texts(np.array([ms]))[0])


def _reports(v: Visible, e: Engagement) -> dict[str, Any]:
    n = len(v.campaign_ids)
    human = human_counts(e, n)
    kinds = v.kind
    recipients = {
        t: _distinct(v, v.pairs_with(kinds == CODE[t]), n) for t in TYPES if t != "BOUNCED"
    }
    counts = np.stack(
        [np.bincount(v.campaign[kinds == k], minlength=n) for k in range(len(TYPES))], 1
    )
    bounced = kinds == CODE["BOUNCED"]
    klass = v.bounce_class()
    hard = v.pairs_with(bounced & (klass == HARD))
    soft = v.pairs_with(bounced & (klass == SOFT)) & ~hard
    hard_pairs, soft_pairs = _distinct(v, hard, n), _distinct(v, soft, n)
    last: dict[str, np.ndarray] = {}
    for t in ("OPENED", "CLICKED"):
        mask = kinds == CODE[t]
        latest = np.full(n, -1, np.int64)
        np.maximum.at(latest, v.campaign[mask], v.at[mask])
        last[t] = latest
    seen = np.flatnonzero(counts.sum(axis=1))
    report, event_counts = [], []
    for c in sorted(seen.tolist(), key=v.campaign_rank.__getitem__):
        campaign_id = v.campaign_ids[c]
        opened, clicked = int(last["OPENED"][c]), int(last["CLICKED"][c])
        report.append(
            report_row(
                campaign_id,
                sent=int(recipients["SENT"][c]),
                delivered=int(recipients["DELIVERED"][c]),
                opened=int(recipients["OPENED"][c]),
                last_opened_at=None if opened < 0 else naive_texts(np.array([opened]))[0],
                clicked=int(recipients["CLICKED"][c]),
                last_clicked_at=None if clicked < 0 else naive_texts(np.array([clicked]))[0],
                hard=int(hard_pairs[c]),
                soft=int(soft_pairs[c]),
                unsubscribes=int(recipients["UNSUBSCRIBED"][c]),
                complaints=int(recipients["ABUSE"][c]),
                **human_report_columns(human, c, _texts),
            )
        )
        for k, event_type in enumerate(EVENT_TYPE_ORDER):
            if counts[c, k]:
                count = int(counts[c, k])
                event_counts.append(
                    {"campaign_id": campaign_id, "event_type": event_type, "count": count}
                )
    return {"campaign_report": report, "event_counts": event_counts}


def _link_activity(world: ApsisWorld, v: Visible) -> list[dict[str, Any]]:
    """One row per clicked link id: distinct recipients and clicks (an APSIS link id has one
    URL and one non-empty title, so its latest click's are the link's own)."""
    mask = v.kind == CODE["CLICKED"]
    link = v.campaign[mask].astype(np.int64) * 256 + v.detail[mask]
    totals = np.unique(link, return_counts=True)
    people = len(v.recipient_rank)
    clicks = np.sort(link * people + v.recipient[mask])
    unique = clicks[np.r_[True, clicks[1:] != clicks[:-1]]] // people if len(clicks) else clicks
    distinct = dict(zip(*np.unique(unique, return_counts=True), strict=True))
    machine = world.columns.machine[v.rows(mask)] != 0
    size = int(link.max()) + 1 if len(link) else 1
    human_unique, human_total = link_human_counts(link, v.recipient[mask], machine, size)
    rows = []
    for key, total in zip(*totals, strict=True):
        campaign = world.campaigns[int(key) // 256]
        item = campaign.all_links[int(key) % 256]
        rows.append(
            {
                "campaign_id": campaign.id,
                "link_id": item.id,
                "link_url": item.url,
                "link_title": item.title or None,
                "unique_click_count": int(distinct[key]),
                "total_click_count": int(total),
                "human_unique_click_count": int(human_unique[key]),
                "human_total_click_count": int(human_total[key]),
            }
        )
    return sorted(rows, key=lambda r: (r["campaign_id"], r["link_id"]))


REASONS = (COMPLAINED, HARD_BOUNCE, REPEATED_SOFT_BOUNCE, UNSUBSCRIBED)  # sorted by name


def _suppressions(v: Visible) -> list[dict[str, Any]]:
    """`email_recipient_suppressions`: per recipient and reason the first event (by time, then
    campaign id), the SOFT_BOUNCE_THRESHOLD-th soft-class bounce for `repeated_soft_bounce`."""
    klass = v.bounce_class()
    bounced = v.kind == CODE["BOUNCED"]
    reason = np.full(len(v.kind), -1, np.int8)
    reason[v.kind == CODE["ABUSE"]] = REASONS.index(COMPLAINED)
    reason[bounced & (klass == HARD)] = REASONS.index(HARD_BOUNCE)
    reason[v.kind == CODE["UNSUBSCRIBED"]] = REASONS.index(UNSUBSCRIBED)
    soft = bounced & (klass == SOFT)
    events = np.flatnonzero((reason >= 0) | soft)  # a few per cent of the events
    reason, soft, at = reason[events].astype(np.int64), soft[events], v.at[events]
    rank = v.campaign_rank[v.campaign[events]]
    who = v.recipient_rank[v.recipient[events]]
    picked = np.flatnonzero(reason >= 0)
    firsts = picked[first_per_group(who[picked] * 4 + reason[picked], at[picked], rank[picked])]
    soft = np.flatnonzero(soft)
    order = soft[np.lexsort((np.arange(len(soft)), rank[soft], at[soft], who[soft]))]
    nth = np.ones(len(order), np.int64)
    if len(order):
        starts = np.ones(len(order), bool)
        starts[1:] = who[order][1:] != who[order][:-1]
        group_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
        nth = np.arange(len(order)) - group_start + 1
    repeated = order[nth == SOFT_BOUNCE_THRESHOLD]
    chosen = np.concatenate([firsts, repeated])
    reasons = np.concatenate([reason[firsts], np.full(len(repeated), 2, np.int64)])
    order = np.lexsort((reasons, who[chosen]))
    chosen, reasons = events[chosen[order]], reasons[order]
    since = naive_texts(v.at[chosen])
    return [
        {
            "recipient": v.recipient_keys[r],
            "reason": REASONS[k],
            "suppressed_since": at,
            "campaign_id": v.campaign_ids[c],
        }
        for r, k, at, c in zip(
            v.recipient[chosen].tolist(),
            reasons.tolist(),
            since,
            v.campaign[chosen].tolist(),
            strict=True,
        )
    ]


def campaigns(all_campaigns: Iterable[Campaign]) -> list[CampaignFacts]:
    """Every activity of every section, scheduled at its `sent_at`."""
    return [CampaignFacts(c.id, c.name, to_ms(c.sent_at)) for c in all_campaigns]
