"""Ground truth of APSIS One (`GET /_sandbox/truth/apsis_one`, docs/CONTRACTS.md 4, 8-10, 14).

Computed straight from the world's logical events, never from an export file, with the
definitions of docs/CONTRACTS.md section 4: an event counts once visible (`available_at` of its
first copy before the clock); counts are distinct lower-cased addresses per main activity;
hard bounce beats soft/block/unknown; informational (5xxx) bounces are no bounces (but still
`bounced` logical events in `event_counts`); rates are percentages of delivered. The report
marts' pairs (`pairs`) and campaigns (`campaigns`) are APSIS One's mapping onto the shared
report definitions (sandbox.reports).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.apsis_one.model import (
    ABUSE,
    BOUNCED,
    CANONICAL_TYPES,
    CLICKED,
    DELIVERED,
    OPENED,
    SENT,
    UNSUBSCRIBED,
    ApsisEvent,
    Campaign,
    bounce_class,
)
from sandbox.apsis_one.surprise import unknown_counts
from sandbox.apsis_one.world import ApsisWorld
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.marts import (
    COMPLAINED,
    Click,
    Suppression,
    bounce_kind,
    marts_truth,
)
from sandbox.reports.marts import UNSUBSCRIBED as UNSUBSCRIBED_REASON
from sandbox.reports.overall import CampaignFacts
from sandbox.reports.pairs import KINDS, PairDigest, PairFacts
from sandbox.reports.params import report_params
from sandbox.timeutil import REAL_TIME_FLOOR_MS, from_ms, naive_ms, rfc3339, to_ms

EVENT_TYPE_ORDER = tuple(CANONICAL_TYPES.values())


def truth(
    world: ApsisWorld,
    now_ms: int,
    query: Mapping[str, str] | None,
    unknown_type: str,
    unknown_every: int,
) -> dict[str, Any]:
    """The whole truth document at `now_ms` (`query`: the report parameters; the surprise
    settings give `unmapped_event_types`)."""
    return truth_document(
        apsis_one_truth(world.events, now_ms),
        pairs(world.events, now_ms),
        campaigns(world.campaigns),
        report_params(query, now_ms),
        unknown_counts(world.events, now_ms, unknown_type, unknown_every),
    )


@dataclass
class _CampaignTally:
    recipients: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    bounce_classes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    last_ms: dict[str, int] = field(default_factory=dict)
    event_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def effective_time_ms(event: ApsisEvent) -> int:
    """`event_time` when it is a real time (>= 1971), else the first copy's `server_time`."""
    return event.event_ms if event.event_ms >= REAL_TIME_FLOOR_MS else event.server_ms


def apsis_one_truth(events: Iterable[ApsisEvent], now_ms: int) -> dict[str, Any]:
    """The campaign report's keys: `now`, `campaign_report` and `event_counts`, by campaign id,
    plus the marts' `link_activity` and `suppressions` (sandbox.reports.marts)."""
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


def pairs(events: Iterable[ApsisEvent], now_ms: int) -> list[PairFacts]:
    """The report marts' pairs: visible logical events at their effective time, recipient =
    lower-cased address, campaign = main activity (sandbox.reports.pairs)."""
    digest = PairDigest()
    for event in events:
        if event.available_ms >= now_ms:
            continue
        campaign_id, key, at = event.campaign.id, event.recipient.key, effective_time_ms(event)
        if event.type == BOUNCED:
            digest.bounce(campaign_id, key, at, bounce_class(event.bounce_code))
        else:
            kind = CANONICAL_TYPES[event.type]
            if kind in KINDS:
                digest.note(campaign_id, key, kind, at)
    return digest.facts()


def campaigns(all_campaigns: Iterable[Campaign]) -> list[CampaignFacts]:
    """Every activity of every section, scheduled at its `sent_at`."""
    return [CampaignFacts(c.id, c.name, to_ms(c.sent_at)) for c in all_campaigns]
