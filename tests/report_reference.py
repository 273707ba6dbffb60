"""The report truth as it was before it read `PairTable` (pure Python over `PairFacts`), kept
only as the reference `tests/test_report_truth_sameness.py` compares the NumPy report truth
(sandbox/reports/) with: same documents, to the byte of their JSON."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Any

from sandbox.reports.counts import RATES, local_text, naive_text, period_head
from sandbox.reports.overall import OVERALL_COUNTS, OVERALL_RATES, CampaignFacts
from sandbox.reports.pairs import (
    BOUNCED,
    CLICKED,
    DELIVERED,
    EVERY_KINDS,
    HUMAN_CLICKED,
    HUMAN_KINDS,
    HUMAN_OPENED,
    KINDS,
    OPENED,
    SENT,
    PairFacts,
)
from sandbox.reports.params import ReportParams
from sandbox.reports.periods import (
    SLOTS,
    Period,
    buckets,
    diff,
    n_buckets,
    peak_index,
    rate,
    slot_of,
    unit_for_days,
)
from sandbox.reports.truth import ENGAGEMENT_PERIODS, HISTOGRAM_KINDS
from sandbox.timeutil import from_ms, naive_ms, rfc3339


def bucketed(times: Iterable[int], start: int, end: int, spans: list[tuple[int, int]]) -> list[int]:
    """Times in `[start, end)` counted per bucket."""
    totals = [0] * len(spans)
    lows = [s for s, _ in spans]
    for at in times:
        if start <= at < end:
            index = bisect.bisect_right(lows, at) - 1
            if index >= 0 and at < spans[index][1]:
                totals[index] += 1
    return totals


def first_times(pairs: Iterable[PairFacts], kind: str, bounce: str = "") -> list[int]:
    """Each pair's first time of a kind (of the pairs of a bounce class, if given)."""
    result = []
    for pair in pairs:
        at = pair.at(kind)
        if at is not None and (not bounce or pair.bounce_class == bounce):
            result.append(at)
    return result


def _every(pairs: Iterable[PairFacts], kind: str, bounce: str = "") -> list[int]:
    """Every event of a kind (`EVERY_KINDS`), for bounces of the event's own class if given."""
    return [
        at
        for pair in pairs
        for at, klass in pair.every.get(kind, ())
        if not bounce or klass == bounce
    ]


def period_counts(pairs: Sequence[PairFacts], start: int, end: int) -> dict[str, int]:
    """Pairs whose first event of each kind falls in `[start, end)` (+ hard / soft bounces)."""
    counts = dict.fromkeys(KINDS + HUMAN_KINDS, 0)
    counts["hard"] = counts["soft"] = 0
    for pair in pairs:
        for kind, at in pair.first.items():
            if start <= at < end and kind in counts:
                counts[kind] += 1
                if kind == BOUNCED and pair.bounce_class in ("hard", "soft"):
                    counts[pair.bounce_class] += 1
        if not pair.labelled:  # every open and click is a human's
            for kind in HUMAN_KINDS:
                human = pair.at(kind)
                counts[kind] += human is not None and start <= human < end
    counts["bounces"] = counts["hard"] + counts["soft"]
    return counts


def cohort_counts(pairs: Sequence[PairFacts], start: int, end: int) -> dict[str, int]:
    """The numerators and bases of a period's rates, bounded by 100: of the pairs first
    delivered in `[start, end)` those first opened / clicked before `end`; of the pairs first
    sent in it those first bounced before `end` (by the pair's class)."""
    counts = dict.fromkeys(("delivered", "opened", "clicked", "sent", "hard", "soft"), 0)
    counts |= dict.fromkeys(HUMAN_KINDS, 0)
    for pair in pairs:
        delivered, sent = pair.at(DELIVERED), pair.at(SENT)
        if delivered is not None and start <= delivered < end:
            counts["delivered"] += 1
            for kind in (OPENED, CLICKED, HUMAN_OPENED, HUMAN_CLICKED):
                at = pair.at(kind)
                counts[kind] += at is not None and at < end
        if sent is not None and start <= sent < end:
            counts["sent"] += 1
            bounced = pair.at(BOUNCED)
            if bounced is not None and bounced < end and pair.bounce_class in ("hard", "soft"):
                counts[pair.bounce_class] += 1
    counts["bounces"] = counts["hard"] + counts["soft"]
    return counts


def rate_columns(
    pairs: Sequence[PairFacts], span: Period, names: Iterable[str]
) -> dict[str, float]:
    """`<rate>`, `previous_<rate>` and `<rate>_diff` (of the two rounded rates) per rate name."""
    cur = cohort_counts(pairs, span.start, span.end)
    prev = cohort_counts(pairs, span.previous_start, span.start)
    row: dict[str, float] = {}
    for name in names:
        part, base = RATES[name]
        now, before = rate(cur[part], cur[base]), rate(prev[part], prev[base])
        row.update({name: now, f"previous_{name}": before, f"{name}_diff": diff(now, before)})
    return row


def count_columns(
    pairs: Sequence[PairFacts], span: Period, names: Iterable[tuple[str, str]]
) -> dict[str, int | float]:
    """`<count>`, `previous_<count>` and `<count>_diff` per (column, period_counts key)."""
    cur = period_counts(pairs, span.start, span.end)
    prev = period_counts(pairs, span.previous_start, span.start)
    row: dict[str, int | float] = {}
    for name, kind in names:
        row.update({name: cur[kind], f"previous_{name}": prev[kind]})
        row[f"{name}_diff"] = diff(cur[kind], prev[kind])
    return row


def histogram_counts(
    pairs: Sequence[PairFacts], kind: str, span: Period, spans: list[tuple[int, int]]
) -> tuple[list[int], list[int] | None, list[int] | None]:
    """Totals per bucket of one histogram type, and for bounces the hard and soft ones (None for
    the other types). `EVERY_KINDS` count every event (a bounce by its own class), the others
    each pair's first event."""
    times = _every if kind in EVERY_KINDS else first_times
    totals = bucketed(times(pairs, kind), span.start, span.end, spans)
    if kind != BOUNCED:
        return totals, None, None
    hard = bucketed(_every(pairs, kind, "hard"), span.start, span.end, spans)
    soft = bucketed(_every(pairs, kind, "soft"), span.start, span.end, spans)
    return totals, hard, soft


def delivery_slots(
    pairs: Sequence[PairFacts], span: Period, zone: tzinfo
) -> dict[str, tuple[int, int]]:
    """deliveryTimeStats: per slot (by the local hour of the first delivery), the pairs first
    delivered in the period and those of them first opened before the period end."""
    delivered, opened = dict.fromkeys(SLOTS, 0), dict.fromkeys(SLOTS, 0)
    for pair in pairs:
        at, open_at = pair.at(DELIVERED), pair.at(OPENED)
        if at is None or not span.start <= at < span.end:
            continue
        slot = slot_of(at, zone)
        delivered[slot] += 1
        opened[slot] += open_at is not None and open_at < span.end
    return {slot: (delivered[slot], opened[slot]) for slot in SLOTS}


def dashboard_rows(
    pairs: Sequence[PairFacts], params: ReportParams, contacts: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """`email_dashboard`: one row per past_days. `contacts` (creation ms of every contact, for a
    provider with contact data) fills `contact_count` (created before the period end),
    `previous_contact_count` (before the period start) and their diff; None leaves them null."""
    rows = []
    for days, span in params.periods():
        row: dict[str, Any] = {
            **period_head(days, span),
            "previous_period_start_at": naive_text(span.previous_start),
        }
        counts = (
            ("sent_count", SENT),
            ("delivered_count", DELIVERED),
            ("unique_open_count", OPENED),
            ("unique_click_count", CLICKED),
            ("human_unique_open_count", HUMAN_OPENED),
            ("human_unique_click_count", HUMAN_CLICKED),
        )
        row.update(count_columns(pairs, span, counts))
        rates = ("open_rate", "click_rate", "human_open_rate", "human_click_rate")
        row.update(rate_columns(pairs, span, rates))
        row.update(contact_count=None, previous_contact_count=None, contact_count_diff=None)
        if contacts is not None:
            now, then = (sum(at < end for at in contacts) for end in (span.end, span.start))
            row.update(
                contact_count=now, previous_contact_count=then, contact_count_diff=diff(now, then)
            )
        rows.append(row)
    return rows


def _bucket_rows(
    spans: list[tuple[int, int]], totals: list[int], zone: tzinfo
) -> list[dict[str, Any]]:
    peak = peak_index(totals)
    return [
        {
            "bucket_index": i,
            "bucket_start_utc": naive_text(s),
            "bucket_end_utc": naive_text(e),
            "bucket_start_local": local_text(s, zone),
            "total": t,
            "is_peak": i == peak,
        }
        for i, ((s, e), t) in enumerate(zip(spans, totals, strict=True))
    ]


def histogram_rows(pairs: Sequence[PairFacts], params: ReportParams) -> list[dict[str, Any]]:
    """`email_histogram`: one row per past_days, event_type and bucket. `email-sent`,
    `email-delivered` and `email-bounced` count every event, the `first-…` types each pair's
    first one; `hard_bounce_count` and `soft_bounce_count` (by the bounce's own class) are set on
    `email-bounced` rows, None on the others."""
    zone = params.zone
    rows: list[dict[str, Any]] = []
    for days, span in params.periods():
        spans = buckets(span.start, span.end, unit_for_days(days), zone)
        for event_type, kind in HISTOGRAM_KINDS.items():
            totals, hard, soft = histogram_counts(pairs, kind, span, spans)
            items = _bucket_rows(spans, totals, zone)
            for index, item in enumerate(items):
                item.update(
                    hard_bounce_count=None if hard is None else hard[index],
                    soft_bounce_count=None if soft is None else soft[index],
                )
            head = {**period_head(days, span), "event_type": event_type}
            rows.extend({**head, **item} for item in items)
    return rows


def contact_histogram_rows(contacts: Sequence[int], params: ReportParams) -> list[dict[str, Any]]:
    """`email_dashboard_contact_histogram` (CONTRACTS 10.1): one row per past_days and bucket,
    `total` = contacts created in the bucket and inside the period."""
    rows: list[dict[str, Any]] = []
    for days, span in params.periods():
        spans = buckets(span.start, span.end, unit_for_days(days), params.zone)
        totals = bucketed(contacts, span.start, span.end, spans)
        head = period_head(days, span)
        rows.extend({**head, **item} for item in _bucket_rows(spans, totals, params.zone))
    return rows


def engagement_rows(pairs: Sequence[PairFacts], zone: tzinfo) -> list[dict[str, Any]]:
    """`email_campaign_engagement`: one row per campaign with a send, period and bucket."""
    by_campaign: dict[str, list[PairFacts]] = {}
    for pair in pairs:
        by_campaign.setdefault(pair.campaign_id, []).append(pair)
    rows: list[dict[str, Any]] = []
    for campaign_id in sorted(by_campaign):
        members = by_campaign[campaign_id]
        sends = first_times(members, SENT)
        if not sends:
            continue
        opens, clicks = first_times(members, OPENED), first_times(members, CLICKED)
        human_opens = first_times(members, HUMAN_OPENED)
        human_clicks = first_times(members, HUMAN_CLICKED)
        for name, (count, unit) in ENGAGEMENT_PERIODS.items():
            spans = n_buckets(min(sends), count, unit, zone)
            start, end = spans[0][0], spans[-1][1]
            opened = bucketed(opens, start, end, spans)
            clicked = bucketed(clicks, start, end, spans)
            totals = [o + c for o, c in zip(opened, clicked, strict=True)]
            human_opened = bucketed(human_opens, start, end, spans)
            human_clicked = bucketed(human_clicks, start, end, spans)
            for item, o, c, ho, hc in zip(
                _bucket_rows(spans, totals, zone), opened, clicked, human_opened, human_clicked,
                strict=True,
            ):  # fmt: skip
                rows.append(
                    {
                        "campaign_id": campaign_id,
                        "first_sent_at": naive_ms(min(sends)),
                        "period": name,
                        **{k: v for k, v in item.items() if k not in ("total", "is_peak")},
                        "unique_open_count": o,
                        "unique_click_count": c,
                        "human_unique_open_count": ho,
                        "human_unique_click_count": hc,
                        "total": item["total"],
                        "is_peak": item["is_peak"],
                    }
                )
    return rows


def report_truth(
    pairs: Sequence[PairFacts], params: ReportParams, contacts: Sequence[int] | None = None
) -> dict[str, Any]:
    """The truth keys `report_params`, `dashboard`, `histogram`, `engagement` and
    `contact_histogram`; `contacts` is the creation ms of every contact of a provider with
    contact data (Benchmark), None for the others (null contact columns, no histogram rows)."""
    return {
        "report_params": {
            "as_of": rfc3339(from_ms(params.as_of_ms)),
            "past_days": list(params.past_days),
            "timezone": params.timezone,
            "alignment": params.alignment,
        },
        "dashboard": dashboard_rows(pairs, params, contacts),
        "histogram": histogram_rows(pairs, params),
        "engagement": engagement_rows(pairs, params.zone),
        "contact_histogram": [] if contacts is None else contact_histogram_rows(contacts, params),
    }


# -- reports --------------------------------------------------------------------------------------


def overall_rows(pairs: Sequence[PairFacts], params: ReportParams) -> list[dict[str, Any]]:
    """`email_overall`: one row per past_days."""
    rows = []
    for days, span in params.periods():
        row: dict[str, Any] = {
            **period_head(days, span),
            "previous_period_start_at": naive_text(span.previous_start),
        }
        row.update(count_columns(pairs, span, OVERALL_COUNTS))
        row.update(rate_columns(pairs, span, OVERALL_RATES))
        rows.append(row)
    return rows


def delivery_time_rows(pairs: Sequence[PairFacts], params: ReportParams) -> list[dict[str, Any]]:
    """`email_overall_delivery_time`: one row per past_days and slot: the pairs first delivered in
    the period in the slot, and those of them first opened before the period end."""
    rows = []
    for days, span in params.periods():
        slots = delivery_slots(pairs, span, params.zone)
        for order, (slot, (delivered, opened)) in enumerate(slots.items(), start=1):
            rows.append(
                {
                    **period_head(days, span),
                    "slot": slot,
                    "slot_order": order,
                    "delivered_count": delivered,
                    "unique_open_count": opened,
                    "open_rate": rate(opened, delivered),
                }
            )
    return rows


def campaign_comparison_rows(
    pairs: Sequence[PairFacts], campaigns: Sequence[CampaignFacts], params: ReportParams
) -> list[dict[str, Any]]:
    """`email_overall_campaign_comparison`: one row per past_days and campaign started in it."""
    members: dict[str, list[PairFacts]] = {}
    for pair in pairs:
        members.setdefault(pair.campaign_id, []).append(pair)
    started = []
    for campaign in campaigns:
        own = members.get(campaign.campaign_id, [])
        sends = [at for pair in own if (at := pair.at(SENT)) is not None]
        at = (
            campaign.scheduled_ms if campaign.scheduled_ms is not None else min(sends, default=None)
        )
        if at is None:
            continue
        delivered = sum(DELIVERED in pair.first for pair in own)
        rates = {
            "open_rate": rate(sum(OPENED in pair.first for pair in own), delivered),
            "click_rate": rate(sum(CLICKED in pair.first for pair in own), delivered),
        }
        started.append((at, campaign, rates))
    started.sort(key=lambda item: (-item[0], item[1].campaign_id))
    rows = []
    for days, span in params.periods():
        in_period = [item for item in started if span.start <= item[0] < span.end]
        for rank, (at, campaign, rates) in enumerate(in_period, start=1):
            rows.append(
                {
                    **period_head(days, span),
                    "campaign_id": campaign.campaign_id,
                    "campaign_name": campaign.name,
                    "campaign_started_at": naive_ms(at),
                    **rates,
                    "comparison_rank": rank,
                }
            )
    return rows


def overall_truth(
    pairs: Sequence[PairFacts], campaigns: Sequence[CampaignFacts], params: ReportParams
) -> dict[str, Any]:
    """The truth keys `overall`, `delivery_time` and `campaign_comparison`."""
    return {
        "overall": overall_rows(pairs, params),
        "delivery_time": delivery_time_rows(pairs, params),
        "campaign_comparison": campaign_comparison_rows(pairs, campaigns, params),
    }
