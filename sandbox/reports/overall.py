"""Ground truth of the overall report marts (docs/CONTRACTS.md 9 and 10.2), every provider.

From the same pairs as sandbox.reports.truth (a `PairTable`, or a list of `PairFacts` converted
once: one per campaign and recipient, first time of each canonical kind), the periods of sandbox.reports.periods, and, for the
campaign comparison, each provider's campaigns as its API describes them (`CampaignFacts`, from
`campaigns()` in sandbox/<provider>/truth.py):

* `overall` (`email_overall`): one row per past_days, the pairs whose first event of each kind
  falls in the period and in the previous one, total / hard / soft bounces by the
  pair's class, rates on the OpenAPI's bases (opens and clicks on the period's delivered pairs,
  bounces on its sent pairs) bounded by 100 (sandbox.reports.counts.cohort_counts), diffs as
  sandbox.reports.periods.diff.
* `delivery_time` (`email_overall_delivery_time`): one row per past_days and slot (morning 4-10,
  afternoon 10-16, evening 16-22, night 22-4 local hour of the first delivery, the Benchmark
  simulator's `SLOTS`): pairs first delivered in the period in the slot, those of them first
  opened before the period end, and the open rate.
* `campaign_comparison` (`email_overall_campaign_comparison`): one row per past_days and campaign
  whose send started in the period. The start is the provider's scheduled send time when its API
  gives one, else the campaign's first send (the earliest first send of its pairs); open and click
  rates of the whole campaign (pairs opened / clicked over pairs delivered, as
  `email_campaign_report`); `comparison_rank` 1 = the newest start, ties by campaign id.

Scheduled send times (what int_email_campaigns__unioned reads): APSIS One the activity's
`sent_at`; Maxemail `find`'s `start_ts` (its first visible send as the account-local text reads
back; `scheduled_ts` is only given before the send starts, so never before the clock); Netcore has
no campaign metadata (the first send); Benchmark `scheduledAt` (drafts have none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.reports.counts import (
    count_columns,
    delivery_slots,
    naive_text,
    period_head,
    rate_columns,
)
from sandbox.reports.index import index_of
from sandbox.reports.pairs import (
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
from sandbox.reports.periods import rate
from sandbox.reports.table import KIND_INDEX, NEVER, Pairs, PairTable, as_table
from sandbox.timeutil import naive_ms

OVERALL_COUNTS = (
    ("sent_count", SENT),
    ("delivered_count", DELIVERED),
    ("unique_open_count", OPENED),
    ("unique_click_count", CLICKED),
    ("bounce_count", "bounces"),
    ("hard_bounce_count", "hard"),
    ("soft_bounce_count", "soft"),
    ("complaint_count", COMPLAINED),
    ("unsubscribe_count", UNSUBSCRIBED),
    ("human_unique_open_count", HUMAN_OPENED),  # issue 16
    ("human_unique_click_count", HUMAN_CLICKED),
)
OVERALL_RATES = (
    "open_rate", "click_rate", "bounce_rate", "hard_bounce_rate", "soft_bounce_rate",
    "human_open_rate", "human_click_rate",
)  # fmt: skip


@dataclass(frozen=True)
class CampaignFacts:
    """A campaign as the provider's API describes it: name and scheduled send time (epoch ms;
    None when the API gives none)."""

    campaign_id: str
    name: str | None
    scheduled_ms: int | None


# -- reports --------------------------------------------------------------------------------------


def overall_rows(pairs: Pairs, params: ReportParams) -> list[dict[str, Any]]:
    """`email_overall`: one row per past_days."""
    table = as_table(pairs)
    rows = []
    for days, span in params.periods():
        row: dict[str, Any] = {
            **period_head(days, span),
            "previous_period_start_at": naive_text(span.previous_start),
        }
        row.update(count_columns(table, span, OVERALL_COUNTS))
        row.update(rate_columns(table, span, OVERALL_RATES))
        rows.append(row)
    return rows


def delivery_time_rows(pairs: Pairs, params: ReportParams) -> list[dict[str, Any]]:
    """`email_overall_delivery_time`: one row per past_days and slot: the pairs first delivered in
    the period in the slot, and those of them first opened before the period end."""
    table = as_table(pairs)
    rows = []
    for days, span in params.periods():
        slots = delivery_slots(table, span, params.zone)
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


def _campaign_counts(table: PairTable, kind: str) -> np.ndarray:
    """Per campaign (index into `campaign_ids`), the pairs with an event of the kind."""
    has = table.first[:, KIND_INDEX[kind]] != NEVER
    return np.bincount(table.campaign[has], minlength=len(table.campaign_ids))


def campaign_comparison_rows(
    pairs: Pairs, campaigns: Sequence[CampaignFacts], params: ReportParams
) -> list[dict[str, Any]]:
    """`email_overall_campaign_comparison`: one row per past_days and campaign started in it."""
    table = as_table(pairs)
    first_sends = index_of(table).campaign_first(SENT)
    delivered, opened, clicked = (_campaign_counts(table, k) for k in (DELIVERED, OPENED, CLICKED))
    numbers = {campaign_id: n for n, campaign_id in enumerate(table.campaign_ids)}
    started = []
    for campaign in campaigns:
        at = campaign.scheduled_ms
        n = numbers.get(campaign.campaign_id)
        if at is None and n is not None and first_sends[n] != NEVER:
            at = int(first_sends[n])
        if at is None:
            continue
        base = 0 if n is None else int(delivered[n])
        rates = {
            "open_rate": rate(0 if n is None else int(opened[n]), base),
            "click_rate": rate(0 if n is None else int(clicked[n]), base),
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
    pairs: Pairs, campaigns: Sequence[CampaignFacts], params: ReportParams
) -> dict[str, Any]:
    """The truth keys `overall`, `delivery_time` and `campaign_comparison`; `pairs`: a
    `PairTable`, or a list of `PairFacts` (converted once)."""
    pairs = as_table(pairs)
    return {
        "overall": overall_rows(pairs, params),
        "delivery_time": delivery_time_rows(pairs, params),
        "campaign_comparison": campaign_comparison_rows(pairs, campaigns, params),
    }
