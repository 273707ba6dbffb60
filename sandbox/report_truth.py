"""Ground truth of the time-bucketed report marts (docs/CONTRACTS.md section 9), every provider.

From the (campaign, recipient) pairs of sandbox.report_pairs, one set of report functions applies
section 9's definitions (the periods, rates and diffs of sandbox.report_periods; the Benchmark
simulator's reports, sandbox/benchmark_reports.py, use the same functions):

* Periods: the past_days whole local days (hours for past_days = 1) before the one holding
  as_of (`calendar`), or the past_days x 24 h before as_of (`rolling`); the previous period the
  same length before it. A pair counts in a period when its first event of the kind falls in it.
* Rates on the OpenAPI's bases, bounded by 100 (`cohort_counts`): opens and clicks of the pairs
  first delivered in the period (before its end), bounces of the pairs first sent in it; `diff` is
  the relative change in percent, half up to 2 decimals, 100 when previous is 0 and current > 0,
  0 when both are 0; rate diffs compare the two rounded rates.
* Buckets: local hours for `past_days = 1`, local calendar days otherwise (a DST day has 23 or 25
  hours), every bucket of the window listed, zeros included; `is_peak` marks the first bucket
  with the highest total (all zero: the first bucket). Histograms: the `first-…` types count each
  pair's first event, `email-sent`, `email-delivered` and `email-bounced` every event.
* Contacts (CONTRACTS 10.1, Benchmark only): the dashboard's `contact_count` counts contacts
  created before the period end, `previous_contact_count` those created before its start;
  `contact_histogram` counts the contacts created in each bucket and inside the period. The basis
  is the Digest's `created` list, the one the simulator's dashboard `contact` part uses.
* Engagement: per campaign with a sent pair and period (`24hours` 24 hourly buckets, `week` 7
  daily, `month` 30 daily), starting at the bucket holding the campaign's first send; a pair's
  first open / first click counts in the bucket holding it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.report_pairs import (
    BOUNCED,
    CLICKED,
    COMPLAINED,
    DELIVERED,
    EVERY_KINDS,
    KINDS,
    OPENED,
    SENT,
    UNSUBSCRIBED,
    PairFacts,
)
from sandbox.report_periods import (
    ALIGNMENTS,
    DEFAULT_ALIGNMENT,
    SLOTS,
    Period,
    bucketed,
    buckets,
    diff,
    n_buckets,
    peak_index,
    period,
    rate,
    slot_of,
    unit_for_days,
)
from sandbox.timeutil import from_ms, naive_ms, parse_rfc3339, rfc3339, to_ms

HISTOGRAM_KINDS = {
    "email-sent": SENT,
    "email-delivered": DELIVERED,
    "email-bounced": BOUNCED,
    "first-contact-unsubscribed": UNSUBSCRIBED,
    "first-email-complaint": COMPLAINED,
    "first-email-opened": OPENED,
    "first-email-clicked": CLICKED,
}
ENGAGEMENT_PERIODS = {"24hours": (24, "hour"), "week": (7, "day"), "month": (30, "day")}
DEFAULT_PAST_DAYS: tuple[int, ...] = (1, 7, 30)
DEFAULT_TIMEZONE = "UTC"  # dbt var reporting_timezone's default
NAIVE = "%Y-%m-%dT%H:%M:%S"


# -- reports --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportParams:
    """`as_of`, the past_days values, the reporting time zone and the period alignment
    (sandbox.report_periods: `calendar` or `rolling`): the dbt vars `report_as_of`,
    `report_past_days`, `reporting_timezone` and `report_period_alignment`."""

    as_of_ms: int
    past_days: tuple[int, ...] = DEFAULT_PAST_DAYS
    timezone: str = DEFAULT_TIMEZONE
    alignment: str = DEFAULT_ALIGNMENT

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    def periods(self) -> list[tuple[int, Period]]:
        """(past_days, its period) for every past_days value."""
        return [(d, period(self.as_of_ms, d, self.zone, self.alignment)) for d in self.past_days]


def _times(pairs: Iterable[PairFacts], kind: str, bounce: str = "") -> list[int]:
    result = []
    for pair in pairs:
        at = pair.first.get(kind)
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
    counts = dict.fromkeys(KINDS, 0)
    counts["hard"] = counts["soft"] = 0
    for pair in pairs:
        for kind, at in pair.first.items():
            if start <= at < end and kind in counts:
                counts[kind] += 1
                if kind == BOUNCED and pair.bounce_class in ("hard", "soft"):
                    counts[pair.bounce_class] += 1
    counts["bounces"] = counts["hard"] + counts["soft"]
    return counts


# rate column -> (its numerator, its base) in `cohort_counts`: opens and clicks on delivered,
# bounces on sent (the OpenAPI's `/api/reports/email/overall` texts)
RATES = {
    "open_rate": ("opened", "delivered"),
    "click_rate": ("clicked", "delivered"),
    "bounce_rate": ("bounces", "sent"),
    "hard_bounce_rate": ("hard", "sent"),
    "soft_bounce_rate": ("soft", "sent"),
}


def cohort_counts(pairs: Sequence[PairFacts], start: int, end: int) -> dict[str, int]:
    """The numerators and bases of a period's rates, bounded by 100: of the pairs first
    delivered in `[start, end)` those first opened / clicked before `end`; of the pairs first
    sent in it those first bounced before `end` (by the pair's class)."""
    counts = dict.fromkeys(("delivered", "opened", "clicked", "sent", "hard", "soft"), 0)
    for pair in pairs:
        delivered, sent = pair.at(DELIVERED), pair.at(SENT)
        if delivered is not None and start <= delivered < end:
            counts["delivered"] += 1
            for kind in (OPENED, CLICKED):
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


def _naive(ms: int) -> str:
    return from_ms(ms).strftime(NAIVE)


def _local(ms: int, zone: tzinfo) -> str:
    return from_ms(ms).astimezone(zone).strftime(NAIVE)


def period_head(days: int, span: Period) -> dict[str, Any]:
    return {
        "past_days": days,
        "period_start_at": _naive(span.start),
        "period_end_at": _naive(span.end),
    }


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
            "previous_period_start_at": _naive(span.previous_start),
        }
        counts = (
            ("sent_count", SENT),
            ("delivered_count", DELIVERED),
            ("unique_open_count", OPENED),
            ("unique_click_count", CLICKED),
        )
        row.update(count_columns(pairs, span, counts))
        row.update(rate_columns(pairs, span, ("open_rate", "click_rate")))
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
            "bucket_start_utc": _naive(s),
            "bucket_end_utc": _naive(e),
            "bucket_start_local": _local(s, zone),
            "total": t,
            "is_peak": i == peak,
        }
        for i, ((s, e), t) in enumerate(zip(spans, totals, strict=True))
    ]


def histogram_counts(
    pairs: Sequence[PairFacts], kind: str, span: Period, spans: list[tuple[int, int]]
) -> tuple[list[int], list[int] | None, list[int] | None]:
    """Totals per bucket of one histogram type, and for bounces the hard and soft ones (None for
    the other types). `EVERY_KINDS` count every event (a bounce by its own class), the others
    each pair's first event."""
    times = _every if kind in EVERY_KINDS else _times
    totals = bucketed(times(pairs, kind), span.start, span.end, spans)
    if kind != BOUNCED:
        return totals, None, None
    hard = bucketed(_every(pairs, kind, "hard"), span.start, span.end, spans)
    soft = bucketed(_every(pairs, kind, "soft"), span.start, span.end, spans)
    return totals, hard, soft


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
        sends = _times(members, SENT)
        if not sends:
            continue
        opens, clicks = _times(members, OPENED), _times(members, CLICKED)
        for name, (count, unit) in ENGAGEMENT_PERIODS.items():
            spans = n_buckets(min(sends), count, unit, zone)
            start, end = spans[0][0], spans[-1][1]
            opened = bucketed(opens, start, end, spans)
            clicked = bucketed(clicks, start, end, spans)
            totals = [o + c for o, c in zip(opened, clicked, strict=True)]
            for item, o, c in zip(_bucket_rows(spans, totals, zone), opened, clicked, strict=True):
                rows.append(
                    {
                        "campaign_id": campaign_id,
                        "first_sent_at": naive_ms(min(sends)),
                        "period": name,
                        **{k: v for k, v in item.items() if k not in ("total", "is_peak")},
                        "unique_open_count": o,
                        "unique_click_count": c,
                        "total": item["total"],
                        "is_peak": item["is_peak"],
                    }
                )
    return rows


def report_params(query: Mapping[str, str] | None, now_ms: int) -> ReportParams:
    """`as_of` (RFC 3339 UTC, default the clock), `past_days` (comma list of 1..90, default
    1,7,30), `timezone` (IANA name, default UTC), `alignment` (`calendar` or `rolling`, default
    calendar); ValueError on a bad value."""
    query = query or {}
    as_of_ms = now_ms
    if query.get("as_of"):
        as_of_ms = to_ms(parse_rfc3339(query["as_of"]))
    past_days = DEFAULT_PAST_DAYS
    if query.get("past_days"):
        try:
            past_days = tuple(int(p) for p in query["past_days"].split(","))
        except ValueError:
            raise ValueError(f"past_days must be integers: {query['past_days']!r}") from None
        if not all(1 <= p <= 90 for p in past_days):
            raise ValueError("past_days must be between 1 and 90")
    timezone = query.get("timezone") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {timezone!r}") from None
    alignment = query.get("alignment") or DEFAULT_ALIGNMENT
    if alignment not in ALIGNMENTS:
        raise ValueError(f"alignment must be one of {', '.join(ALIGNMENTS)}: {alignment!r}")
    return ReportParams(as_of_ms, past_days, timezone, alignment)


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
