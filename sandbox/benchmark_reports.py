"""Benchmark Email reports computed from the world at the world clock (CONTRACTS 7.1, PROVIDERS 4.4).

`Digest(world, now_ms)` reduces the visible contact events to (campaign, contact) pairs with the
first time of each event type, the hard-bounce flag, last opens/clicks and link clicks. Every
report is read off a digest with CONTRACTS section 4's definitions:

* Counts are distinct contacts per campaign, summed over campaigns (distinct pairs). A pair
  counts in a period when its **first** event of the kind falls in the period (so histogram
  buckets add up to the period's count). A bounced pair is hard when any of its visible bounces
  is `hard` (hard beats soft), else soft.
* Rates are percentages of delivered pairs, rounded half up on exact integers (`sandbox.truth._rate`);
  bounce rates too (ASSUMPTION: the OpenAPI's overall text says bounces/sent; CONTRACTS 7.1 says
  delivered for every rate, which this follows).
* `pastDays=N`: the period is the last N×24 h before the clock, `[now - N d, now)`; the previous
  period is the N×24 h before it. `diff` = (current − previous) / previous × 100, rounded half
  up (away from zero) to 2 decimals; ASSUMPTION when previous = 0: 100 if current > 0, else 0.
  Rate diffs are the relative change of the two displayed (2-decimal) rates.
* The timezone is applied only to bucketing. Buckets (ASSUMPTION): hourly for pastDays=1, daily
  (local midnight) otherwise; engagement `24hours` hourly, `week` and `month` (30 days) daily, from
  the campaign's `scheduledAt`. Every bucket of the window is listed (zeros too); a bucket's
  `date` is its local start in UTC; `peak` is the first bucket with the highest total.

`diff` and the bucket helpers live in sandbox.report_truth, which applies the same definitions to
every provider's (campaign, recipient) pairs for the report marts' truth (CONTRACTS 9).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sandbox.benchmark_events import (
    BOUNCED,
    CLICKED,
    COMPLAINT,
    DELIVERED,
    OPENED,
    SENT,
    UNSUBSCRIBED,
    BmeCampaign,
    iso_ms,
)
from sandbox.benchmark_truth import Digest, campaign_numbers
from sandbox.report_truth import bucketed as _bucketed
from sandbox.report_truth import buckets, diff, peak_index, unit_for_days
from sandbox.timeutil import DAY_MS, from_ms
from sandbox.truth import _rate

PERIODS = {"24hours": (DAY_MS, "hour"), "week": (7 * DAY_MS, "day"), "month": (30 * DAY_MS, "day")}
HISTOGRAM_TYPES = {
    "email-sent": SENT,
    "email-delivered": DELIVERED,
    "email-bounced": BOUNCED,
    "first-contact-unsubscribed": UNSUBSCRIBED,
    "first-email-complaint": COMPLAINT,
    "first-email-opened": OPENED,
    "first-email-clicked": CLICKED,
}
# deliveryTimeStats slots by the local hour of delivery: [from, to) hours
SLOTS = {"morning": (4, 10), "afternoon": (10, 16), "evening": (16, 22), "night": (22, 28)}


def _peak(spans: list[tuple[int, int]], totals: list[int]) -> tuple[int, int, int]:
    if not spans:
        return 0, 0, 0
    best = peak_index(totals)
    return spans[best][0], spans[best][1], totals[best]


# -- reports --------------------------------------------------------------------------------------


def _period(d: Digest, start: int, end: int) -> dict[str, int]:
    return {
        "sent": d.count(SENT, start, end),
        "delivered": d.count(DELIVERED, start, end),
        "opened": d.count(OPENED, start, end),
        "clicked": d.count(CLICKED, start, end),
        "hard": d.count(BOUNCED, start, end, "hard"),
        "soft": d.count(BOUNCED, start, end, "soft"),
        "complaints": d.count(COMPLAINT, start, end),
        "unsubscribes": d.count(UNSUBSCRIBED, start, end),
    }


def dashboard(d: Digest, past_days: int, zone: tzinfo) -> dict[str, Any]:
    """`GET /api/reports/dashboard`."""
    end = d.now_ms
    start = end - past_days * DAY_MS
    cur, prev = _period(d, start, end), _period(d, start - past_days * DAY_MS, start)

    def unique(kind: str) -> dict[str, Any]:
        rate, rate_prev = _rate(cur[kind], cur["delivered"]), _rate(prev[kind], prev["delivered"])
        return {
            "count": {"value": cur[kind], "diff": diff(cur[kind], prev[kind])},
            "rate": {"value": rate, "diff": diff(rate, rate_prev)},
        }

    contacts, contacts_before = d.contacts_at(end), d.contacts_at(start)
    spans = buckets(start, end, unit_for_days(past_days), zone)
    totals = _bucketed(d.created, start, end, spans)
    peak = _peak(spans, totals)
    return {
        "campaign": {
            "sent": {"count": cur["sent"], "diff": diff(cur["sent"], prev["sent"])},
            "delivered": {
                "count": cur["delivered"],
                "diff": diff(cur["delivered"], prev["delivered"]),
            },
            "uniqueOpens": unique("opened"),
            "uniqueClicks": unique("clicked"),
        },
        "contact": {
            "count": {"value": contacts, "diff": diff(contacts, contacts_before)},
            "histogram": {
                "start": iso_ms(start),
                "end": iso_ms(end),
                "histogram": [
                    {"date": iso_ms(s), "total": t} for (s, _), t in zip(spans, totals, strict=True)
                ],
                "peak": {"date": iso_ms(peak[0]), "total": peak[2]},
            },
        },
    }


def overall(d: Digest, past_days: int, zone: tzinfo) -> dict[str, Any]:
    """`GET /api/reports/email/overall`."""
    end = d.now_ms
    start = end - past_days * DAY_MS
    cur, prev = _period(d, start, end), _period(d, start - past_days * DAY_MS, start)
    for tally in (cur, prev):
        tally["bounces"] = tally["hard"] + tally["soft"]

    def metric(kind: str, with_rate: bool) -> dict[str, Any]:
        result: dict[str, Any] = {
            "count": {"value": cur[kind], "prev": prev[kind], "diff": diff(cur[kind], prev[kind])}
        }
        if with_rate:
            value, before = _rate(cur[kind], cur["delivered"]), _rate(prev[kind], prev["delivered"])
            result["rate"] = {"value": value, "prev": before, "diff": diff(value, before)}
        return result

    return {
        "stats": {
            "sent": metric("sent", False),
            "delivered": metric("delivered", False),
            "uniqueOpens": metric("opened", True),
            "uniqueClicks": metric("clicked", True),
            "totalBounces": metric("bounces", True),
            "hardBounces": metric("hard", True),
            "softBounces": metric("soft", True),
            "complaints": metric("complaints", False),
            "unsubscribes": metric("unsubscribes", False),
        },
        "deliveryTimeStats": delivery_time_stats(d, start, end, zone),
        "campaignComparison": campaign_comparison(d, start, end),
    }


def delivery_time_stats(d: Digest, start: int, end: int, zone: tzinfo) -> dict[str, float]:
    """Open rate of the pairs first delivered in the period, by the local hour of delivery."""
    delivered = dict.fromkeys(SLOTS, 0)
    opened = dict.fromkeys(SLOTS, 0)
    for firsts in d.firsts.values():
        at = firsts.get(DELIVERED)
        if at is None or not start <= at < end:
            continue
        hour = from_ms(at).astimezone(zone).hour
        hour += 24 if hour < 4 else 0  # night runs 22:00-04:00
        slot = next(name for name, (low, high) in SLOTS.items() if low <= hour < high)
        delivered[slot] += 1
        opened[slot] += OPENED in firsts
    return {slot: _rate(opened[slot], delivered[slot]) for slot in SLOTS}


def campaign_comparison(d: Digest, start: int, end: int) -> list[dict[str, Any]]:
    """Campaigns whose send started in the period (newest first) with their open/click rates."""
    rows = []
    for campaign in d.world.campaigns:
        at = campaign.scheduled_ms
        if at is None or not start <= at < end:
            continue
        stats = campaign_numbers(d, campaign.id)
        rows.append(
            {
                "_id": campaign.id,
                "name": campaign.name,
                "rates": {
                    "opens": _rate(stats["opened"], stats["delivered"]),
                    "clicks": _rate(stats["clicked"], stats["delivered"]),
                },
                "scheduledAt": iso_ms(at),
            }
        )
    rows.sort(key=lambda r: str(r["scheduledAt"]), reverse=True)
    return rows


def histogram(d: Digest, event_type: str, past_days: int, zone: tzinfo) -> dict[str, Any]:
    """`GET /api/reports/email/overall/histogram`: pairs per bucket of their first event of the
    type (`email-bounced` adds `detail` hard/soft by the pair's class)."""
    end = d.now_ms
    start = end - past_days * DAY_MS
    kind = HISTOGRAM_TYPES[event_type]
    spans = buckets(start, end, unit_for_days(past_days), zone)
    if kind == BOUNCED:
        hard = _bucketed(d.times(kind, bounce="hard"), start, end, spans)
        soft = _bucketed(d.times(kind, bounce="soft"), start, end, spans)
        totals = [h + s for h, s in zip(hard, soft, strict=True)]
        items = [
            {"date": iso_ms(s), "total": t, "detail": {"hard": h, "soft": o}}
            for (s, _), t, h, o in zip(spans, totals, hard, soft, strict=True)
        ]
    else:
        totals = _bucketed(d.times(kind), start, end, spans)
        items = [{"date": iso_ms(s), "total": t} for (s, _), t in zip(spans, totals, strict=True)]
    return _histogram_body(start, end, spans, totals, items)


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


def engagement(d: Digest, campaign: BmeCampaign, period: str, zone: tzinfo) -> dict[str, Any]:
    """`GET /api/reports/email/{id}/engagement`: first opens and first clicks per bucket of the
    period from the campaign's send (its creation for a draft)."""
    length, unit = PERIODS[period]
    start = campaign.scheduled_ms if campaign.scheduled_ms is not None else campaign.created_ms
    end = start + length
    spans = buckets(start, end, unit, zone)
    opens = _bucketed(d.times(OPENED, campaign.id), start, end, spans)
    clicks = _bucketed(d.times(CLICKED, campaign.id), start, end, spans)
    totals = [o + c for o, c in zip(opens, clicks, strict=True)]
    items = [
        {"date": iso_ms(s), "total": t, "detail": {"uniqueOpens": o, "uniqueClicks": c}}
        for (s, _), t, o, c in zip(spans, totals, opens, clicks, strict=True)
    ]
    return _histogram_body(start, end, spans, totals, items)
