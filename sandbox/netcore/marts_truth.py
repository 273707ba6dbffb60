"""Netcore's truth of the report marts `email_campaign_link_activity` and
`email_recipient_suppressions` (docs/CONTRACTS.md 8), counted with arrays: the same rows as
`sandbox.reports.marts.link_activity` and `suppressions` of one `Click` per nested `clicks` entry
and one `Suppression` per bounce (by its class), unsubscribe and spam report at `modifiedTime`,
whose definitions are restated here for the columns."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import numpy as np

from sandbox.machines import machine_ip
from sandbox.netcore.facts import CLASS_CODE, Seen, event_index, keys
from sandbox.netcore.localtime import read_back_seconds, utc_texts
from sandbox.netcore.model import SPAM, UNSUBSCRIBE
from sandbox.netcore.store import STATUS_CODE, NetcoreWorld
from sandbox.reports.human import link_human_counts
from sandbox.reports.marts import (
    COMPLAINED,
    HARD_BOUNCE,
    REPEATED_SOFT_BOUNCE,
    SOFT_BOUNCE_THRESHOLD,
    SOFT_CLASSES,
    UNSUBSCRIBED,
)

_REASONS = (HARD_BOUNCE, "soft", UNSUBSCRIBED, COMPLAINED)  # reason codes 0..3; soft counts


def link_activity(world: NetcoreWorld, facts: Seen) -> list[dict[str, Any]]:
    """One row per campaign and link URL clicked: distinct recipients and clicks."""
    states = facts.states
    owner, index = event_index(world.click_start, states.rows, states.clicks)
    if not len(index):
        return []
    links = max(len(c.links) for c in world.campaigns)
    group = facts.campaign[owner] * links + world.click_link[index]
    totals = np.bincount(group)
    distinct = np.unique(group * (len(keys(world)[1]) + 1) + facts.key[owner])
    uniques = np.bincount(distinct // (len(keys(world)[1]) + 1), minlength=len(totals))
    machine = machine_ip(
        world.machine_prefixes, world.click_ip[index]
    )  # issue 16: a machine's click
    human_unique, human_total = link_human_counts(group, facts.key[owner], machine, len(totals))
    rows = []
    for g in np.flatnonzero(totals).tolist():
        campaign = world.campaigns[g // links]
        rows.append(
            {
                "campaign_id": campaign.id,
                "link_id": None,
                "link_url": campaign.links[g % links],
                "link_title": None,
                "unique_click_count": int(uniques[g]),
                "total_click_count": int(totals[g]),
                "human_unique_click_count": int(human_unique[g]),
                "human_total_click_count": int(human_total[g]),
            }
        )
    return sorted(rows, key=lambda r: (r["campaign_id"], "", r["link_url"]))


def suppressions(world: NetcoreWorld, facts: Seen, zone: tzinfo) -> list[dict[str, Any]]:
    """One row per recipient and reason: the first hard bounce, unsubscribe and spam report,
    and the `SOFT_BOUNCE_THRESHOLD`-th soft-class bounce, over all campaigns, in the order of
    their read-back time, then campaign id."""
    states, klass = facts.states, facts.klass
    reason = np.full(len(states), -1, np.int8)
    reason[klass == CLASS_CODE["hard"]] = 0
    reason[np.isin(klass, [CLASS_CODE[c] for c in SOFT_CLASSES])] = 1
    reason[states.status == STATUS_CODE[UNSUBSCRIBE]] = 2
    reason[states.status == STATUS_CODE[SPAM]] = 3
    picked = np.flatnonzero(reason >= 0)
    at = read_back_seconds(states.modified_s[picked], zone)
    ids = [c.id for c in world.campaigns]
    id_rank = np.empty(len(ids), np.int64)
    id_rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    order = np.lexsort((id_rank[facts.campaign[picked]], at))
    picked, at = picked[order], at[order]
    key, why = facts.key[picked], reason[picked]
    found: list[int] = []
    firsts = np.flatnonzero(why != 1)
    _, first = np.unique(key[firsts] * 4 + why[firsts], return_index=True)
    found.extend(firsts[first].tolist())
    softs = np.flatnonzero(why == 1)
    by_key = softs[np.argsort(key[softs], kind="stable")]
    sorted_keys = key[by_key]
    starts = (
        np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(by_key) else by_key
    )
    run = np.arange(len(by_key)) - np.repeat(starts, np.diff(np.r_[starts, len(by_key)]))
    found.extend(by_key[run == SOFT_BOUNCE_THRESHOLD - 1].tolist())
    names = keys(world)[1]
    texts = utc_texts(at[found])
    rows = []
    for position, text in zip(found, texts, strict=True):
        code = int(why[position])
        rows.append(
            {
                "recipient": names[int(key[position])],
                "reason": REPEATED_SOFT_BOUNCE if code == 1 else _REASONS[code],
                "suppressed_since": text,
                "campaign_id": ids[int(facts.campaign[picked[position]])],
            }
        )
    return sorted(rows, key=lambda r: (r["recipient"], r["reason"]))
