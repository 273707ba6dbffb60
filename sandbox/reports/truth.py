"""Ground truth of the time-bucketed report marts (docs/CONTRACTS.md section 9), every provider.

From the (campaign, recipient) pairs of sandbox.reports.pairs, as a `PairTable`
(sandbox.reports.table; a list of `PairFacts` is converted once), one set of report functions
applies section 9's definitions (the periods, rates and diffs of sandbox.reports.periods, the
counts of sandbox.reports.counts, NumPy over the table's sorted views in sandbox.reports.index;
the Benchmark simulator's reports, sandbox/benchmark/reports.py, use the same functions):

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

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

import numpy as np

from sandbox.reports.counts import (
    count_columns,
    histogram_counts,
    local_text,
    naive_text,
    period_head,
    rate_columns,
)
from sandbox.reports.index import index_of
from sandbox.reports.pairs import (
    BOUNCED,
    CLICKED,
    COMPLAINED,
    DELIVERED,
    HUMAN_CLICKED,
    HUMAN_OPENED,
    OPENED,
    SENT,
    UNSUBSCRIBED,
)
from sandbox.reports.params import ReportParams
from sandbox.reports.periods import (
    bucket_counts,
    buckets,
    diff,
    n_buckets,
    peak_index,
    unit_for_days,
)
from sandbox.reports.table import NEVER, Pairs, as_table
from sandbox.timeutil import from_ms, naive_ms, rfc3339

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


def dashboard_rows(
    pairs: Pairs, params: ReportParams, contacts: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """`email_dashboard`: one row per past_days. `contacts` (creation ms of every contact, for a
    provider with contact data) fills `contact_count` (created before the period end),
    `previous_contact_count` (before the period start) and their diff; None leaves them null."""
    table = as_table(pairs)
    created = None if contacts is None else _sorted(contacts)
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
            ("human_unique_open_count", HUMAN_OPENED),  # issue 16
            ("human_unique_click_count", HUMAN_CLICKED),
        )
        row.update(count_columns(table, span, counts))
        rates = ("open_rate", "click_rate", "human_open_rate", "human_click_rate")
        row.update(rate_columns(table, span, rates))
        row.update(contact_count=None, previous_contact_count=None, contact_count_diff=None)
        if created is not None:
            now, then = (int(np.searchsorted(created, end)) for end in (span.end, span.start))
            row.update(
                contact_count=now, previous_contact_count=then, contact_count_diff=diff(now, then)
            )
        rows.append(row)
    return rows


def _sorted(times: Sequence[int]) -> np.ndarray:
    return np.sort(np.fromiter(times, np.int64, len(times)))


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


def histogram_rows(pairs: Pairs, params: ReportParams) -> list[dict[str, Any]]:
    """`email_histogram`: one row per past_days, event_type and bucket. `email-sent`,
    `email-delivered` and `email-bounced` count every event, the `first-…` types each pair's
    first one; `hard_bounce_count` and `soft_bounce_count` (by the bounce's own class) are set on
    `email-bounced` rows, None on the others."""
    table, zone = as_table(pairs), params.zone
    rows: list[dict[str, Any]] = []
    for days, span in params.periods():
        spans = buckets(span.start, span.end, unit_for_days(days), zone)
        for event_type, kind in HISTOGRAM_KINDS.items():
            totals, hard, soft = histogram_counts(table, kind, span, spans)
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
    created = _sorted(contacts)
    rows: list[dict[str, Any]] = []
    for days, span in params.periods():
        spans = buckets(span.start, span.end, unit_for_days(days), params.zone)
        totals = bucket_counts(created, span.start, span.end, spans)
        head = period_head(days, span)
        rows.extend({**head, **item} for item in _bucket_rows(spans, totals, params.zone))
    return rows


def engagement_rows(pairs: Pairs, zone: tzinfo) -> list[dict[str, Any]]:
    """`email_campaign_engagement`: one row per campaign with a send, period and bucket."""
    table = as_table(pairs)
    index = index_of(table)
    first_sends = index.campaign_first(SENT)
    opens, clicks = index.by_campaign(OPENED), index.by_campaign(CLICKED)
    human = {kind: index.by_campaign(kind) for kind in (HUMAN_OPENED, HUMAN_CLICKED)}
    rows: list[dict[str, Any]] = []
    for number, campaign_id in enumerate(table.campaign_ids):
        if first_sends[number] == NEVER:
            continue
        first_sent = int(first_sends[number])
        own_opens = opens.times[opens.bounds[number] : opens.bounds[number + 1]]
        own_clicks = clicks.times[clicks.bounds[number] : clicks.bounds[number + 1]]
        own_human = [
            h.times[h.bounds[number] : h.bounds[number + 1]] for h in human.values()
        ]  # the first human opens, then clicks (issue 16)
        for name, (count, unit) in ENGAGEMENT_PERIODS.items():
            spans = n_buckets(first_sent, count, unit, zone)
            start, end = spans[0][0], spans[-1][1]
            opened = bucket_counts(own_opens, start, end, spans)
            clicked = bucket_counts(own_clicks, start, end, spans)
            totals = [o + c for o, c in zip(opened, clicked, strict=True)]
            human_opened, human_clicked = (bucket_counts(t, start, end, spans) for t in own_human)
            buckets_ = zip(
                _bucket_rows(spans, totals, zone), opened, clicked, human_opened, human_clicked,
                strict=True,
            )  # fmt: skip
            for item, o, c, ho, hc in buckets_:
                rows.append(
                    {
                        "campaign_id": campaign_id,
                        "first_sent_at": naive_ms(first_sent),
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
    pairs: Pairs, params: ReportParams, contacts: Sequence[int] | None = None
) -> dict[str, Any]:
    """The truth keys `report_params`, `dashboard`, `histogram`, `engagement` and
    `contact_histogram`; `contacts` is the creation ms of every contact of a provider with
    contact data (Benchmark), None for the others (null contact columns, no histogram rows).
    `pairs`: a `PairTable`, or a list of `PairFacts` (converted once)."""
    pairs = as_table(pairs)
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
