"""Ground truth of the Netcore campaign report, and the summary stats of `GET /v5.1/stats`.

Truth (`GET /_sandbox/truth/netcore`, docs/CONTRACTS.md 6.3) is section 4's campaign report per
campaign (`campaign_id` = `xapiheader`) over the messages requested before the clock, each in its
status at the clock (`sandbox.netcore_events.state_at`):

* `sent_count`: distinct lower-cased recipients with a message that was sent (status neither
  `processed`, `dropped` nor `invalid`); `delivered_count`: … with a delivery time;
* `unique_open_count` / `unique_click_count`: … with at least one open / click so far;
  `last_opened_at` / `last_clicked_at`: the latest open / click, naive UTC, whole seconds (the
  account-local text read back, as a loader reads it);
* `hard_bounce_count`: … with status `hardbounce`; `soft_bounce_count`: … with `softbounce` and
  no hard bounce; `bounce_count` = hard + soft; `unsubscribe_count`: status `unsubscribe`;
  `complaint_count`: status `spam`; rates: percentages of delivered (`sandbox.truth._rate`).

`event_counts` counts logical events (one per message) of the types a message row gives exactly:
`sent`, `delivered`, `bounced`, `dropped` (dropped and invalid), `unsubscribed`, `complained`.
Opens and clicks are in the report (unique counts, last times); every open/click entry is also an
event, but those are left out here as in the Maxemail truth.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sandbox.marts_truth import (
    COMPLAINED,
    HARD_BOUNCE,
    SOFT_BOUNCE,
    UNSUBSCRIBED,
    Click,
    Suppression,
    marts_truth,
)
from sandbox.netcore_events import (
    DROPPED,
    HARDBOUNCE,
    INVALID,
    LOCAL_FORMAT,
    SOFTBOUNCE,
    SPAM,
    UNSUBSCRIBE,
    MessageState,
    NetcoreWorld,
    local_text,
)
from sandbox.timeutil import from_ms, rfc3339
from sandbox.truth import report_row

EVENT_TYPES = ("sent", "delivered", "bounced", "dropped", "unsubscribed", "complained")
STAT_KEYS = (
    "requested", "processed", "sent", "delivered", "dropped", "invalid", "hardbounce",
    "softbounce", "bounce", "opened", "unique_opened", "clicked", "unique_clicked",
    "unsubscribed", "spam",
)  # fmt: skip


# Statuses that suppress the recipient, and the suppression kind of each (sandbox.marts_truth).
_SUPPRESSING = {
    HARDBOUNCE: HARD_BOUNCE,
    SOFTBOUNCE: SOFT_BOUNCE,
    UNSUBSCRIBE: UNSUBSCRIBED,
    SPAM: COMPLAINED,
}


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
    marts' `link_activity` (one click per nested `clicks` entry) and `suppressions` (bounce class
    from the status; bounces, unsubscribes and spam reports at `modified_time`)."""
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
        reason = _SUPPRESSING.get(status)
        if reason is not None:
            stops.append(
                Suppression(key, reason, read_back_utc(state.modified_s, zone), campaign_id)
            )
        if status in (HARDBOUNCE, SOFTBOUNCE):
            (tally.hard if status == HARDBOUNCE else tally.soft).add(key)
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


def message_stats(states: list[MessageState]) -> dict[str, int]:
    """The stats metrics of a set of messages (one day's, for `GET /v5.1/stats`)."""
    stats = dict.fromkeys(STAT_KEYS, 0)
    for state in states:
        stats["requested"] += 1
        stats["processed"] += 1  # ASSUMPTION: every accepted request counts as processed
        stats["sent"] += state.sent
        stats["delivered"] += state.delivered_s is not None
        status = state.status
        if status in (DROPPED, INVALID, HARDBOUNCE, SOFTBOUNCE):
            stats[status] += 1
        stats["opened"] += len(state.opens)
        stats["unique_opened"] += bool(state.opens)
        stats["clicked"] += len(state.clicks)
        stats["unique_clicked"] += bool(state.clicks)
        stats["unsubscribed"] += status == UNSUBSCRIBE
        stats["spam"] += status == SPAM
    stats["bounce"] = stats["hardbounce"] + stats["softbounce"]
    return stats
