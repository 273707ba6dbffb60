"""Benchmark Email reports computed from the world at the world clock (CONTRACTS 7.1, PROVIDERS 4.4).

The dashboard, overall and histogram reports are read off the (campaign, contact) pairs of the
visible contact events (the `PairTable` of `sandbox.benchmark.pairs`) with the definitions every provider's
report marts share (docs/CONTRACTS.md section 9, sandbox.reports), so the simulator and the marts'
truth cannot drift apart:

* Counts are distinct contacts per campaign, summed over campaigns (distinct pairs). A pair
  counts in a period when its **first** event of the kind falls in the period. A bounced pair is
  hard when any of its visible bounces is `hard` (hard beats soft), else soft.
* Rates on the OpenAPI's bases: opens and clicks on delivered, bounces on sent; bounded by 100
  (the pairs first delivered / sent in the period, and those of them opened, clicked or bounced
  before the period ends); half up on exact integers. Rate diffs compare the two rounded rates.
* `pastDays=N`: the N whole local days (hours for N = 1) before the one holding the clock, in the
  request's timezone (setting `report_period_alignment` = `calendar`, the OpenAPI's examples), or
  the N x 24 h before the clock (`rolling`); the previous period is the one before it. `diff` =
  (current - previous) / previous x 100, half up to 2 decimals; ASSUMPTION when previous = 0: 100
  if current > 0, else 0.
* Histograms: hourly buckets for pastDays=1, local days otherwise; `email-sent`,
  `email-delivered` and `email-bounced` count every event (a bounce's `detail` by its own
  `emailBounceType`), the `first-…` types the pairs' first events (the OpenAPI's enum names).
  Engagement: `24hours` hourly, `week` and `month` (30 days) daily, from the campaign's
  `scheduledAt`. Every bucket of the window is listed (zeros too); a bucket's `date` is its local
  start in UTC; `peak` is the first bucket with the highest total.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import numpy as np

from sandbox.benchmark.digest import Digest
from sandbox.benchmark.model import CLICKED, OPENED, BmeCampaign, iso_ms
from sandbox.benchmark.pairs import pair_table
from sandbox.reports.counts import count_columns, delivery_slots, histogram_counts, rate_columns
from sandbox.reports.pairs import CLICKED as CLICKED_KIND
from sandbox.reports.pairs import DELIVERED as DELIVERED_KIND
from sandbox.reports.pairs import OPENED as OPENED_KIND
from sandbox.reports.pairs import SENT as SENT_KIND
from sandbox.reports.periods import (
    CALENDAR,
    Period,
    bucket_counts,
    buckets,
    diff,
    peak_index,
    period,
    rate,
    unit_for_days,
)
from sandbox.reports.table import PairTable
from sandbox.reports.truth import HISTOGRAM_KINDS
from sandbox.timeutil import DAY_MS

PERIODS = {"24hours": (DAY_MS, "hour"), "week": (7 * DAY_MS, "day"), "month": (30 * DAY_MS, "day")}
HISTOGRAM_TYPES = HISTOGRAM_KINDS  # eventType -> canonical kind


def _peak(spans: list[tuple[int, int]], totals: list[int]) -> tuple[int, int, int]:
    if not spans:
        return 0, 0, 0
    best = peak_index(totals)
    return spans[best][0], spans[best][1], totals[best]


def _pairs(d: Digest) -> PairTable:
    """The Digest's (campaign, contact) pairs, computed once per Digest (one per clock value)."""
    return pair_table(d)


# -- reports --------------------------------------------------------------------------------------


def dashboard(d: Digest, past_days: int, zone: tzinfo, alignment: str = CALENDAR) -> dict[str, Any]:
    """`GET /api/reports/dashboard`."""
    pairs, span = _pairs(d), period(d.now_ms, past_days, zone, alignment)
    counts = count_columns(pairs, span, (("sent", SENT_KIND), ("delivered", DELIVERED_KIND)))
    opens = count_columns(pairs, span, (("opens", OPENED_KIND), ("clicks", CLICKED_KIND)))
    rates = rate_columns(pairs, span, ("open_rate", "click_rate"))

    def unique(name: str, rate_name: str) -> dict[str, Any]:
        return {
            "count": {"value": opens[name], "diff": opens[f"{name}_diff"]},
            "rate": {"value": rates[rate_name], "diff": rates[f"{rate_name}_diff"]},
        }

    contacts, contacts_before = d.contacts_at(span.end), d.contacts_at(span.start)
    spans = buckets(span.start, span.end, unit_for_days(past_days), zone)
    totals = bucket_counts(d.created_ms, span.start, span.end, spans)
    peak = _peak(spans, totals)
    return {
        "campaign": {
            "sent": {"count": counts["sent"], "diff": counts["sent_diff"]},
            "delivered": {"count": counts["delivered"], "diff": counts["delivered_diff"]},
            "uniqueOpens": unique("opens", "open_rate"),
            "uniqueClicks": unique("clicks", "click_rate"),
        },
        "contact": {
            "count": {"value": contacts, "diff": diff(contacts, contacts_before)},
            "histogram": {
                "start": iso_ms(span.start),
                "end": iso_ms(span.end),
                "histogram": [
                    {"date": iso_ms(s), "total": t} for (s, _), t in zip(spans, totals, strict=True)
                ],
                "peak": {"date": iso_ms(peak[0]), "total": peak[2]},
            },
        },
    }


# overall `stats` key -> (period_counts key, rate column or None)
OVERALL_STATS = {
    "sent": ("sent", None),
    "delivered": ("delivered", None),
    "uniqueOpens": ("opened", "open_rate"),
    "uniqueClicks": ("clicked", "click_rate"),
    "totalBounces": ("bounces", "bounce_rate"),
    "hardBounces": ("hard", "hard_bounce_rate"),
    "softBounces": ("soft", "soft_bounce_rate"),
    "complaints": ("complained", None),
    "unsubscribes": ("unsubscribed", None),
}


def overall(d: Digest, past_days: int, zone: tzinfo, alignment: str = CALENDAR) -> dict[str, Any]:
    """`GET /api/reports/email/overall`: counts of pairs by their first event in the period,
    rates on the documented bases (opens and clicks on delivered, bounces on sent), bounded by
    100 (sandbox.reports.counts.cohort_counts)."""
    pairs, span = _pairs(d), period(d.now_ms, past_days, zone, alignment)
    counts = count_columns(pairs, span, [(kind, kind) for kind, _ in OVERALL_STATS.values()])
    rates = rate_columns(pairs, span, [r for _, r in OVERALL_STATS.values() if r])
    stats: dict[str, Any] = {}
    for name, (kind, rate_name) in OVERALL_STATS.items():
        value, before = counts[kind], counts[f"previous_{kind}"]
        stats[name] = {"count": {"value": value, "prev": before, "diff": counts[f"{kind}_diff"]}}
        if rate_name:
            stats[name]["rate"] = {
                "value": rates[rate_name],
                "prev": rates[f"previous_{rate_name}"],
                "diff": rates[f"{rate_name}_diff"],
            }
    return {
        "stats": stats,
        "deliveryTimeStats": delivery_time_stats(pairs, span, zone),
        "campaignComparison": campaign_comparison(d, span.start, span.end),
    }


def delivery_time_stats(pairs: PairTable, span: Period, zone: tzinfo) -> dict[str, float]:
    """Open rate of the pairs first delivered in the period, by the local hour of delivery."""
    slots = delivery_slots(pairs, span, zone)
    return {slot: rate(opened, delivered) for slot, (delivered, opened) in slots.items()}


def campaign_comparison(d: Digest, start: int, end: int) -> list[dict[str, Any]]:
    """Campaigns whose send started in the period (newest first) with their open/click rates."""
    rows = []
    for campaign in d.world.campaigns:
        at = campaign.scheduled_ms
        if at is None or not start <= at < end:
            continue
        stats = d.numbers_of(d.world.campaign_index[campaign.id])
        rows.append(
            {
                "_id": campaign.id,
                "name": campaign.name,
                "rates": {
                    "opens": rate(stats["opened"], stats["delivered"]),
                    "clicks": rate(stats["clicked"], stats["delivered"]),
                },
                "scheduledAt": iso_ms(at),
            }
        )
    rows.sort(key=lambda r: str(r["scheduledAt"]), reverse=True)
    return rows


def histogram(
    d: Digest, event_type: str, past_days: int, zone: tzinfo, alignment: str = CALENDAR
) -> dict[str, Any]:
    """`GET /api/reports/email/overall/histogram`: per bucket, every `email-sent`,
    `email-delivered` and `email-bounced` event (`detail` hard/soft by each bounce's own type), and
    for the `first-…` types the pairs whose first event of the type falls in it."""
    span = period(d.now_ms, past_days, zone, alignment)
    spans = buckets(span.start, span.end, unit_for_days(past_days), zone)
    totals, hard, soft = histogram_counts(_pairs(d), HISTOGRAM_TYPES[event_type], span, spans)
    if hard is not None and soft is not None:
        items = [
            {"date": iso_ms(s), "total": t, "detail": {"hard": h, "soft": o}}
            for (s, _), t, h, o in zip(spans, totals, hard, soft, strict=True)
        ]
    else:
        items = [{"date": iso_ms(s), "total": t} for (s, _), t in zip(spans, totals, strict=True)]
    return _histogram_body(span.start, span.end, spans, totals, items)


def _histogram_body(
    start: int, end: int, spans: list[tuple[int, int]], totals: list[int], items: list[Any]
) -> dict[str, Any]:
    peak = _peak(spans, totals)
    return {
        "start": iso_ms(start),
        "end": iso_ms(end),
        "histogram": items,
        "peak": {"startDate": iso_ms(peak[0]), "endDate": iso_ms(peak[1]), "total": peak[2]},
    }


def engagement(d: Digest, campaign: BmeCampaign, period_name: str, zone: tzinfo) -> dict[str, Any]:
    """`GET /api/reports/email/{id}/engagement`: first opens and first clicks per bucket of the
    period from the campaign's send (its creation for a draft)."""
    length, unit = PERIODS[period_name]
    start = campaign.scheduled_ms if campaign.scheduled_ms is not None else campaign.created_ms
    end = start + length
    spans = buckets(start, end, unit, zone)
    index = d.world.campaign_index[campaign.id]
    opens = bucket_counts(np.sort(d.times(OPENED, index)), start, end, spans)
    clicks = bucket_counts(np.sort(d.times(CLICKED, index)), start, end, spans)
    totals = [o + c for o, c in zip(opens, clicks, strict=True)]
    items = [
        {"date": iso_ms(s), "total": t, "detail": {"uniqueOpens": o, "uniqueClicks": c}}
        for (s, _), t, o, c in zip(spans, totals, opens, clicks, strict=True)
    ]
    return _histogram_body(start, end, spans, totals, items)
