"""Ground truth of the APSIS One campaign report (`GET /_sandbox/truth/apsis_one`).

Computed straight from the world's logical events, never from an export file, with the
definitions of docs/CONTRACTS.md section 4: an event counts once visible (`available_at` of its
first copy before the clock); counts are distinct lower-cased addresses per main activity;
hard bounce beats soft/block/unknown; informational (5xxx) bounces are no bounces (but still
`bounced` logical events in `event_counts`); rates are percentages of delivered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.entities import (
    ABUSE,
    BOUNCED,
    CANONICAL_TYPES,
    CLICKED,
    DELIVERED,
    OPENED,
    SENT,
    UNSUBSCRIBED,
    ApsisEvent,
    bounce_class,
)
from sandbox.marts_truth import (
    COMPLAINED,
    Click,
    Suppression,
    bounce_kind,
    marts_truth,
)
from sandbox.marts_truth import UNSUBSCRIBED as UNSUBSCRIBED_REASON
from sandbox.report_periods import rate
from sandbox.timeutil import REAL_TIME_FLOOR_MS, from_ms, naive_ms, rfc3339

EVENT_TYPE_ORDER = tuple(CANONICAL_TYPES.values())


@dataclass
class _CampaignTally:
    recipients: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    bounce_classes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    last_ms: dict[str, int] = field(default_factory=dict)
    event_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def effective_time_ms(event: ApsisEvent) -> int:
    """`event_time` when it is a real time (>= 1971), else the first copy's `server_time`."""
    return event.event_ms if event.event_ms >= REAL_TIME_FLOOR_MS else event.server_ms


_rate = rate  # a percentage rounded half up on exact integers (sandbox.report_periods.rate)


def report_row(
    campaign_id: str,
    *,
    sent: int,
    delivered: int,
    opened: int,
    last_opened_at: str | None,
    clicked: int,
    last_clicked_at: str | None,
    hard: int,
    soft: int,
    unsubscribes: int,
    complaints: int,
) -> dict[str, Any]:
    """One campaign report row of docs/CONTRACTS.md section 4 from its recipient counts: every
    provider's truth builds its rows here, so the definitions (open and click rates on delivered,
    bounce rates on sent, half up; bounces = hard + soft) live in one place."""
    return {
        "campaign_id": campaign_id,
        "sent_count": sent,
        "delivered_count": delivered,
        "unique_open_count": opened,
        "open_rate": _rate(opened, delivered),
        "last_opened_at": last_opened_at,
        "unique_click_count": clicked,
        "click_rate": _rate(clicked, delivered),
        "last_clicked_at": last_clicked_at,
        "bounce_count": hard + soft,
        "bounce_rate": _rate(hard + soft, sent),
        "hard_bounce_count": hard,
        "hard_bounce_rate": _rate(hard, sent),
        "soft_bounce_count": soft,
        "soft_bounce_rate": _rate(soft, sent),
        "unsubscribe_count": unsubscribes,
        "complaint_count": complaints,
    }


def apsis_one_truth(events: Iterable[ApsisEvent], now_ms: int) -> dict[str, Any]:
    """The truth document: `now`, `campaign_report` and `event_counts`, by campaign id, plus
    the marts' `link_activity` and `suppressions` (sandbox.marts_truth)."""
    tallies: dict[str, _CampaignTally] = defaultdict(_CampaignTally)
    clicks: list[Click] = []
    stops: list[Suppression] = []
    for event in events:
        if event.available_ms >= now_ms:
            continue
        campaign_id = event.campaign.id
        tally = tallies[campaign_id]
        key = event.recipient.key
        tally.recipients[event.type].add(key)
        tally.event_counts[CANONICAL_TYPES[event.type]] += 1
        if event.type == BOUNCED:
            klass = bounce_class(event.bounce_code)
            tally.bounce_classes[key].add(klass)
            kind = bounce_kind(klass)
            if kind is not None:
                stops.append(
                    Suppression(key, kind, naive_ms(effective_time_ms(event)), campaign_id)
                )
        elif event.type in (OPENED, CLICKED):
            at = effective_time_ms(event)
            tally.last_ms[event.type] = max(at, tally.last_ms.get(event.type, at))
            if event.type == CLICKED and event.link is not None:
                link = event.link
                clicks.append(
                    Click(campaign_id, link.url, key, 1, link.id, link.title, naive_ms(at))
                )
        elif event.type in (UNSUBSCRIBED, ABUSE):
            reason = UNSUBSCRIBED_REASON if event.type == UNSUBSCRIBED else COMPLAINED
            stops.append(Suppression(key, reason, naive_ms(effective_time_ms(event)), campaign_id))

    report, counts = [], []
    for campaign_id in sorted(tallies):
        tally = tallies[campaign_id]
        hard = soft = 0
        for classes in tally.bounce_classes.values():
            if "hard" in classes:
                hard += 1
            elif classes & {"soft", "block", "unknown"}:
                soft += 1
        delivered = len(tally.recipients[DELIVERED])
        opened, clicked = len(tally.recipients[OPENED]), len(tally.recipients[CLICKED])
        last_open, last_click = tally.last_ms.get(OPENED), tally.last_ms.get(CLICKED)
        report.append(
            report_row(
                campaign_id,
                sent=len(tally.recipients[SENT]),
                delivered=delivered,
                opened=opened,
                last_opened_at=None if last_open is None else naive_ms(last_open),
                clicked=clicked,
                last_clicked_at=None if last_click is None else naive_ms(last_click),
                hard=hard,
                soft=soft,
                unsubscribes=len(tally.recipients[UNSUBSCRIBED]),
                complaints=len(tally.recipients[ABUSE]),
            )
        )
        for event_type in EVENT_TYPE_ORDER:
            if tally.event_counts.get(event_type):
                counts.append(
                    {
                        "campaign_id": campaign_id,
                        "event_type": event_type,
                        "count": tally.event_counts[event_type],
                    }
                )
    return {
        "now": rfc3339(from_ms(now_ms)),
        "campaign_report": report,
        "event_counts": counts,
        **marts_truth(clicks, stops),
    }
