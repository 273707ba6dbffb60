"""Benchmark Email's truth of the marts `email_campaign_link_activity` and
`email_recipient_suppressions` (docs/CONTRACTS.md 8), with array operations over the `Digest`: the
definitions of sandbox.reports.marts applied to Benchmark's visible contact events (the recipient
is the contact's lower-cased address, `emailTo`):

* link activity: one row per campaign and link id clicked or listed (`linkActivity` of the
  campaigns whose report the loader snapshots: status `sent` or `sending` at the clock,
  pipelines.benchmark.settings.REPORTED_STATUSES); distinct recipients and clicks.
* suppressions: per recipient the first hard bounce (`emailBounceType` `hard`; any other type is
  soft), the third soft bounce over all campaigns (`repeated_soft_bounce`), the first unsubscribe
  and the first complaint; events at the same time ordered by campaign id.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.benchmark.digest import Digest, hard_details, ranks
from sandbox.benchmark.model import BOUNCED, CLICKED, COMPLAINT, TYPE_CODE, UNSUBSCRIBED
from sandbox.benchmark.store import BenchmarkWorld
from sandbox.reports.human import link_human_counts
from sandbox.reports.marts import (
    COMPLAINED,
    HARD_BOUNCE,
    REPEATED_SOFT_BOUNCE,
    SOFT_BOUNCE_THRESHOLD,
)
from sandbox.reports.marts import UNSUBSCRIBED as UNSUBSCRIBED_REASON
from sandbox.timeutil import naive_ms

# suppression kinds, codes in the order of their reasons' names (rows sort by reason)
_REASONS = (COMPLAINED, HARD_BOUNCE, REPEATED_SOFT_BOUNCE, UNSUBSCRIBED_REASON)
_COMPLAINED, _HARD, _SOFT, _UNSUBSCRIBED = range(4)


def addresses(world: BenchmarkWorld) -> tuple[np.ndarray, list[str]]:
    """Per contact the code of its lower-cased address (codes in address order), and the
    addresses by code; clock-independent, cached."""

    def build() -> tuple[np.ndarray, list[str]]:
        keys = np.array([r.address.lower() for r in world.recipients], dtype=object)
        unique, codes = np.unique(keys, return_inverse=True)
        return codes.astype(np.int64), unique.tolist()

    result: tuple[np.ndarray, list[str]] = world.cached("addresses", build)
    return result


def link_activity(d: Digest) -> list[dict[str, Any]]:
    """`email_campaign_link_activity` rows, sorted by campaign id and link id."""
    world, ev = d.world, d.world.events
    index = np.flatnonzero(d.visible & (ev.type == TYPE_CODE[CLICKED]))
    campaigns = ev.journey_campaign[ev.journey[index]]
    index, campaigns = index[campaigns >= 0], campaigns[campaigns >= 0]
    links = world.link_offset[campaigns] + ev.detail[index]
    codes, _ = addresses(world)
    recipients = codes[ev.journey_contact[ev.journey[index]]]
    size = len(world.links)
    totals = np.bincount(links, minlength=size)
    pairs = np.unique(links * (len(codes) + 1) + recipients)
    unique = np.bincount(pairs // (len(codes) + 1), minlength=size)
    machine = ev.machine_labels()[index] != 0  # issue 16: a machine's click
    human_unique, human_total = link_human_counts(links, recipients, machine, size)
    rows = {}
    for c, campaign in enumerate(world.campaigns):
        listed = d.campaign_status(campaign) in ("sent", "sending")
        offset = int(world.link_offset[c])
        for slot, link in enumerate(campaign.listed_links):
            if listed or totals[offset + slot]:
                rows[campaign.id, link.id] = {
                    "campaign_id": campaign.id,
                    "link_id": link.id,
                    "link_url": link.url,
                    "link_title": None,
                    "unique_click_count": int(unique[offset + slot]),
                    "total_click_count": int(totals[offset + slot]),
                    "human_unique_click_count": int(human_unique[offset + slot]),
                    "human_total_click_count": int(human_total[offset + slot]),
                }
    return [rows[key] for key in sorted(rows)]


def suppressions(d: Digest) -> list[dict[str, Any]]:
    """`email_recipient_suppressions` rows, sorted by recipient and reason."""
    world, ev = d.world, d.world.events
    types = ev.type
    wanted = (
        (types == TYPE_CODE[BOUNCED])
        | (types == TYPE_CODE[COMPLAINT])
        | (types == TYPE_CODE[UNSUBSCRIBED])
    )
    index = world.order[(d.visible & wanted)[world.order]]  # in time order
    kind = np.full(len(index), _UNSUBSCRIBED, np.int8)
    kind[types[index] == TYPE_CODE[COMPLAINT]] = _COMPLAINED
    bounce = types[index] == TYPE_CODE[BOUNCED]
    hard = hard_details(world)[ev.detail[index]]
    kind[bounce & hard] = _HARD
    kind[bounce & ~hard] = _SOFT
    journeys = ev.journey[index]
    campaign = ev.journey_campaign[journeys]
    campaign_ids = [c.id for c in world.campaigns]
    campaign_rank = np.append(ranks(np.array(campaign_ids, dtype=object)), -1)[campaign]
    codes, keys = addresses(world)
    recipient = codes[ev.journey_contact[journeys]]
    at = ev.at[index]
    # within a recipient and kind: by time, then campaign id (none first), then time order
    order = np.lexsort((np.arange(len(index)), campaign_rank, at, kind, recipient))
    recipient, kind, at, campaign = recipient[order], kind[order], at[order], campaign[order]
    group_start = np.ones(len(order), bool)
    group_start[1:] = (recipient[1:] != recipient[:-1]) | (kind[1:] != kind[:-1])
    starts = np.flatnonzero(group_start)
    position = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    chosen = np.flatnonzero(
        np.where(kind == _SOFT, position == SOFT_BOUNCE_THRESHOLD - 1, position == 0)
    )
    return [
        {
            "recipient": keys[recipient[i]],
            "reason": _REASONS[kind[i]],
            "suppressed_since": naive_ms(int(at[i])),
            "campaign_id": campaign_ids[campaign[i]] if campaign[i] >= 0 else None,
        }
        for i in chosen.tolist()
    ]
