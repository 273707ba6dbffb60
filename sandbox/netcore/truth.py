"""Ground truth of Netcore (`GET /_sandbox/truth/netcore`, docs/CONTRACTS.md 6.3, 8-10, 14).

Section 4's campaign report per campaign (`campaign_id` = `xapiheader`) over the messages
requested before the clock, each in its status at the clock (`sandbox.netcore.model.state_at`):

* `sent_count`: distinct lower-cased recipients with a message that was sent (status neither
  `processed`, `dropped` nor `invalid`); `delivered_count`: … with a delivery time;
* `unique_open_count` / `unique_click_count`: … with at least one open / click so far;
  `last_opened_at` / `last_clicked_at`: the latest open / click, naive UTC, whole seconds (the
  account-local text read back, as a loader reads it);
* `hard_bounce_count`: … with a bounce of class `hard` (sandbox.netcore.bounces);
  `soft_bounce_count`: … with a bounce of class soft, block or unknown and no hard bounce;
  `bounce_count` = hard + soft; `unsubscribe_count`: status `unsubscribe`; `complaint_count`:
  status `spam`; rates: percentages of delivered (sandbox.reports.campaign).

`event_counts` counts logical events (one per message) of the types a message row gives exactly:
`sent`, `delivered`, `bounced`, `dropped` (dropped and invalid), `unsubscribed`, `complained`.
Opens and clicks are in the report (unique counts, last times); every open/click entry is also an
event, but those are left out here as in the Maxemail truth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sandbox.netcore.bounces import BOUNCE_STATUSES, bounce_class
from sandbox.netcore.model import (
    DROPPED,
    INVALID,
    LOCAL_FORMAT,
    SPAM,
    UNSUBSCRIBE,
    NetcoreWorld,
    local_text,
)
from sandbox.netcore.surprise import unknown_counts
from sandbox.reports import pairs as kinds
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.marts import (
    COMPLAINED,
    SOFT_CLASSES,
    UNSUBSCRIBED,
    Click,
    Suppression,
    bounce_kind,
    marts_truth,
)
from sandbox.reports.overall import CampaignFacts
from sandbox.reports.pairs import PairDigest, PairFacts, read_back_ms
from sandbox.reports.params import report_params
from sandbox.timeutil import from_ms, rfc3339

EVENT_TYPES = ("sent", "delivered", "bounced", "dropped", "unsubscribed", "complained")
# Statuses that suppress the recipient, and the suppression kind of each (sandbox.reports.marts);
# a bounce suppresses by its class (`bounce_kind`).
_SUPPRESSING = {UNSUBSCRIBE: UNSUBSCRIBED, SPAM: COMPLAINED}


def truth(
    world: NetcoreWorld,
    now_ms: int,
    zone: tzinfo,
    query: Mapping[str, str] | None,
    unknown_status: str,
    unknown_every: int,
) -> dict[str, Any]:
    """The whole truth document at `now_ms` in the account's timezone `zone` (`query`: the
    report parameters; the surprise settings give `unmapped_event_types`)."""
    return truth_document(
        netcore_truth(world, now_ms, zone),
        pairs(world, now_ms, zone),
        campaigns(world),
        report_params(query, now_ms),
        unknown_counts(world, now_ms, unknown_status, unknown_every),
    )


def read_back_utc(at_s: int, zone: tzinfo) -> str:
    """The naive UTC time a reader gets from Netcore's local text of `at_s` (whole seconds)."""
    local = datetime.strptime(local_text(at_s, zone), LOCAL_FORMAT).replace(tzinfo=zone)
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class _Tally:
    sent: set[str] = field(default_factory=set)
    delivered: set[str] = field(default_factory=set)
    openers: set[str] = field(default_factory=set)
    clickers: set[str] = field(default_factory=set)
    hard: set[str] = field(default_factory=set)
    soft: set[str] = field(default_factory=set)
    unsubscribed: set[str] = field(default_factory=set)
    complained: set[str] = field(default_factory=set)
    last_open_s: int | None = None
    last_click_s: int | None = None
    events: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def netcore_truth(world: NetcoreWorld, now_ms: int, zone: tzinfo) -> dict[str, Any]:
    """The truth document: `now`, `campaign_report`, `event_counts` (by campaign id), plus the
    marts' `link_activity` (one click per nested `clicks` entry) and `suppressions` (by
    `bounce_class`; bounces, unsubscribes and spam reports at `modified_time`)."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    clicks: list[Click] = []
    stops: list[Suppression] = []
    for state in world.states(now_ms, 0, now_ms // 1000 + 1):
        campaign_id = state.message.campaign.id
        tally = tallies[campaign_id]
        key = state.message.address.lower()
        if state.sent:
            tally.sent.add(key)
            tally.events["sent"] += 1
        if state.delivered_s is not None:
            tally.delivered.add(key)
            tally.events["delivered"] += 1
        if state.opens:
            tally.openers.add(key)
            last = state.opens[-1][0]
            tally.last_open_s = max(last, tally.last_open_s or last)
        if state.clicks:
            tally.clickers.add(key)
            last = max(c[0] for c in state.clicks)
            tally.last_click_s = max(last, tally.last_click_s or last)
            clicks.extend(Click(campaign_id, link, key) for _, _, link in state.clicks if link)
        status = state.status
        klass = bounce_class(status, state.remarks)
        reason = bounce_kind(klass) if klass else _SUPPRESSING.get(status)
        if reason is not None:
            stops.append(
                Suppression(key, reason, read_back_utc(state.modified_s, zone), campaign_id)
            )
        if status in BOUNCE_STATUSES:
            if klass == "hard":
                tally.hard.add(key)
            elif klass in SOFT_CLASSES:
                tally.soft.add(key)
            tally.events["bounced"] += 1
        elif status in (DROPPED, INVALID):
            tally.events["dropped"] += 1
        elif status == UNSUBSCRIBE:
            tally.unsubscribed.add(key)
            tally.events["unsubscribed"] += 1
        elif status == SPAM:
            tally.complained.add(key)
            tally.events["complained"] += 1

    report, counts = [], []
    for campaign_id in sorted(tallies):
        tally = tallies[campaign_id]
        hard, soft = len(tally.hard), len(tally.soft - tally.hard)
        delivered = len(tally.delivered)
        opened, clicked = len(tally.openers), len(tally.clickers)
        report.append(
            report_row(
                campaign_id,
                sent=len(tally.sent),
                delivered=delivered,
                opened=opened,
                last_opened_at=None
                if tally.last_open_s is None
                else read_back_utc(tally.last_open_s, zone),
                clicked=clicked,
                last_clicked_at=None
                if tally.last_click_s is None
                else read_back_utc(tally.last_click_s, zone),
                hard=hard,
                soft=soft,
                unsubscribes=len(tally.unsubscribed),
                complaints=len(tally.complained),
            )
        )
        for event_type in EVENT_TYPES:
            if tally.events.get(event_type):
                counts.append(
                    {
                        "campaign_id": campaign_id,
                        "event_type": event_type,
                        "count": tally.events[event_type],
                    }
                )
    return {
        "now": rfc3339(from_ms(now_ms)),
        "campaign_report": report,
        "event_counts": counts,
        **marts_truth(clicks, stops),
    }


def pairs(world: NetcoreWorld, now_ms: int, zone: tzinfo) -> list[PairFacts]:
    """The report marts' pairs (sandbox.reports.pairs): each message in its state at the clock,
    sent at `requestedTime`, delivered at `deliveryTime`, opens and clicks at their times, a
    bounce, unsubscribe or spam report at `modifiedTime`; times read back from the local text."""
    digest = PairDigest()
    for state in world.states(now_ms, 0, now_ms // 1000 + 1):
        message = state.message
        campaign_id, key = message.campaign.id, message.address.lower()
        if state.sent:
            digest.note(campaign_id, key, kinds.SENT, read_back_ms(message.requested_s, zone))
        if state.delivered_s is not None:
            digest.note(campaign_id, key, kinds.DELIVERED, read_back_ms(state.delivered_s, zone))
        for open_ in state.opens:
            digest.note(campaign_id, key, kinds.OPENED, read_back_ms(open_[0], zone))
        for click in state.clicks:
            digest.note(campaign_id, key, kinds.CLICKED, read_back_ms(click[0], zone))
        modified = read_back_ms(state.modified_s, zone)
        klass = bounce_class(state.status, state.remarks)
        if klass is not None:
            digest.bounce(campaign_id, key, modified, klass)
        elif state.status == UNSUBSCRIBE:
            digest.note(campaign_id, key, kinds.UNSUBSCRIBED, modified)
        elif state.status == SPAM:
            digest.note(campaign_id, key, kinds.COMPLAINED, modified)
    return digest.facts()


def campaigns(world: NetcoreWorld) -> list[CampaignFacts]:
    """No campaign metadata: the name is the messages' `tags`, no scheduled time."""
    return [CampaignFacts(c.id, c.name, None) for c in world.campaigns]
