"""Ground truth of the Netcore campaign report, and the summary stats of `GET /v5.1/stats`.

Truth (`GET /_sandbox/truth/netcore`, docs/CONTRACTS.md 6.3) is section 4's campaign report per
campaign (`campaign_id` = `xapiheader`) over the messages requested before the clock, each in its
status at the clock (`sandbox.netcore_events.state_at`):

* `sent_count`: distinct lower-cased recipients with a message that was sent (status neither
  `processed`, `dropped` nor `invalid`); `delivered_count`: … with a delivery time;
* `unique_open_count` / `unique_click_count`: … with at least one open / click so far;
  `last_opened_at` / `last_clicked_at`: the latest open / click, naive UTC, whole seconds (the
  account-local text read back, as a loader reads it);
* `hard_bounce_count`: … with a bounce of class `hard`; `soft_bounce_count`: … with a bounce
  of class soft, block or unknown and no hard bounce; `bounce_count` = hard + soft;
  `unsubscribe_count`: status `unsubscribe`; `complaint_count`: status `spam`; rates:
  percentages of delivered (`sandbox.truth._rate`).

A bounce's class (`bounce_class`) is Netcore's own where its status gives one (`hardbounce` hard,
`softbounce` soft), else, for the plain status `bounce`, the class of the SMTP code in `remarks`
(CONTRACTS.md 6.3): the digits of the enhanced status code (`5.1.1` -> 511), else of a leading
basic reply code (`550`); 570-579 block, 400-499 soft, 500-599 hard, anything else or no code
`unknown`. This mirrors the seed rule (`email_providers.bounce_class_rule = provider_first`,
`email_bounce_codes`) in Python, written from the contract and not read from the seed or SQL.
The same class counts in the daily stats (`message_stats`, ASSUMPTION, setting
`stats_plain_bounces`).

`event_counts` counts logical events (one per message) of the types a message row gives exactly:
`sent`, `delivered`, `bounced`, `dropped` (dropped and invalid), `unsubscribed`, `complained`.
Opens and clicks are in the report (unique counts, last times); every open/click entry is also an
event, but those are left out here as in the Maxemail truth.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sandbox.marts_truth import (
    COMPLAINED,
    SOFT_CLASSES,
    UNSUBSCRIBED,
    Click,
    Suppression,
    bounce_kind,
    marts_truth,
)
from sandbox.netcore_events import (
    BOUNCE,
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


# Statuses that suppress the recipient, and the suppression kind of each (sandbox.marts_truth);
# a bounce suppresses by its class (`bounce_kind`).
_SUPPRESSING = {UNSUBSCRIBE: UNSUBSCRIBED, SPAM: COMPLAINED}
BOUNCE_STATUSES = (HARDBOUNCE, SOFTBOUNCE, BOUNCE)
STATS_PLAIN_BOUNCES = ("by_class", "bounce_only")  # the `message_stats` readings (ASSUMPTION)
_ENHANCED_CODE = re.compile(r"[245]\.[0-9]{1,3}\.[0-9]{1,3}")
_BASIC_CODE = re.compile(r"^([245][0-9][0-9])(?: |$)")


def smtp_code(remarks: str) -> int | None:
    """The bounce code of `remarks`: digits of the first enhanced status code, else of a leading
    basic reply code, else None (`550 5.1.1 user unknown` -> 511, `550 rejected` -> 550)."""
    text = remarks.strip()
    enhanced = _ENHANCED_CODE.search(text)
    if enhanced:
        return int(enhanced.group(0).replace(".", ""))
    basic = _BASIC_CODE.match(text)
    return int(basic.group(1)) if basic else None


def bounce_class(status: str, remarks: str) -> str | None:
    """The class of a message's bounce (module docstring), None when the status is no bounce."""
    if status == HARDBOUNCE:
        return "hard"
    if status == SOFTBOUNCE:
        return "soft"
    if status != BOUNCE:
        return None
    code = smtp_code(remarks)
    if code is None:
        return "unknown"
    if 570 <= code <= 579:  # the narrowest range wins: 5.7.x is a policy block, not hard
        return "block"
    if 400 <= code <= 499:
        return "soft"
    if 500 <= code <= 599:
        return "hard"
    return "unknown"


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


def message_stats(states: list[MessageState], plain_bounces: str = "by_class") -> dict[str, int]:
    """The stats metrics of a set of messages (one day's, for `GET /v5.1/stats`).

    ASSUMPTION (Netcore does not document how its stats count the plain status `bounce`):
    `by_class` counts a bounced message in `hardbounce` when its `bounce_class` is hard and in
    `softbounce` otherwise (soft, block, unknown), as the campaign report folds them;
    `bounce_only` counts a plain bounce in `bounce` alone (`hardbounce`/`softbounce` are then the
    statuses). `bounce` counts every bounced message either way."""
    if plain_bounces not in STATS_PLAIN_BOUNCES:
        raise ValueError(f"plain_bounces must be one of {', '.join(STATS_PLAIN_BOUNCES)}")
    stats = dict.fromkeys(STAT_KEYS, 0)
    for state in states:
        stats["requested"] += 1
        stats["processed"] += 1  # ASSUMPTION: every accepted request counts as processed
        stats["sent"] += state.sent
        stats["delivered"] += state.delivered_s is not None
        status = state.status
        if status in (DROPPED, INVALID):
            stats[status] += 1
        if status in BOUNCE_STATUSES:
            stats["bounce"] += 1
            if status != BOUNCE or plain_bounces == "by_class":
                hard = bounce_class(status, state.remarks) == "hard"
                stats["hardbounce" if hard else "softbounce"] += 1
        stats["opened"] += len(state.opens)
        stats["unique_opened"] += bool(state.opens)
        stats["clicked"] += len(state.clicks)
        stats["unique_clicked"] += bool(state.clicks)
        stats["unsubscribed"] += status == UNSUBSCRIBE
        stats["spam"] += status == SPAM
    return stats
