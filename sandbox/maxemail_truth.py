"""Ground truth of the Maxemail campaign report and the `email_campaign.find` object.

Truth (`GET /_sandbox/truth/maxemail`, docs/CONTRACTS.md 5.3): section 4's campaign report per
message (`campaign_id` = the email id as text, plus `message_type`) over the events visible at
the clock. Counts are distinct lower-cased addresses (or phone numbers); delivered = sent and not
bounced; clicks include responders; `unsubscribe_count` = global + local; `complaint_count` =
feedback. A bounce's class comes from the digits of the reason's leading token (4xx soft, 5xx
hard, 57x block, which the report counts as soft), falling back on the bounce type (`permanent`
→ hard, else soft) for any other code. Times are those of the files (local, whole seconds) read
back as naive UTC.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from sandbox.marts_truth import (
    COMPLAINED,
    UNSUBSCRIBED,
    Click,
    Suppression,
    bounce_kind,
    marts_truth,
)
from sandbox.maxemail_events import (
    BOUNCE,
    CAMPAIGN,
    CLICK,
    OPEN,
    SENT,
    UNSUBSCRIBE,
    MaxemailMessage,
    MaxemailWorld,
    local_text,
    local_to_utc,
)
from sandbox.timeutil import from_ms, rfc3339
from sandbox.truth import report_row

EVENT_TYPES = ("sent", "bounced", "unsubscribed", "complained")


def bounce_code(reason: str) -> int | None:
    """Digits of the leading token of a bounce reason (`5.1.1 user unknown` → 511, `0000 …` → 0)."""
    token = reason.strip().split(" ", 1)[0]
    digits = "".join(c for c in token if c.isdigit())
    return int(digits) if digits else None


def bounce_class(bounce_type: str, reason: str) -> str:
    """`hard`, `soft` or `block` (docs/CONTRACTS.md 5.3)."""
    code = bounce_code(reason)
    if code is not None and 400 <= code <= 499:
        return "soft"
    if code is not None and 570 <= code <= 579:
        return "block"
    if code is not None and 500 <= code <= 599:
        return "hard"
    return "hard" if bounce_type.strip().lower() == "permanent" else "soft"


def file_time_utc(at_s: int, zone: tzinfo) -> str:
    """The naive UTC time a reader gets from the file's local timestamp (whole seconds)."""
    return local_to_utc(local_text(at_s, zone), zone).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class _Tally:
    sent: set[str] = field(default_factory=set)
    openers: set[str] = field(default_factory=set)
    clickers: set[str] = field(default_factory=set)
    unsubscribed: set[str] = field(default_factory=set)
    complained: set[str] = field(default_factory=set)
    bounce_classes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    last_open_s: int | None = None
    last_click_s: int | None = None
    event_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def maxemail_truth(world: MaxemailWorld, now_ms: int, zone: tzinfo) -> dict[str, Any]:
    """The truth document: `now`, `campaign_report`, `event_counts` (by email id), plus the
    marts' `link_activity` and `suppressions` (sandbox.marts_truth): a `clicked` row's click
    count at the clock is its visible clicks, so the highest count seen per recipient and URL
    is the number of visible clicks on it; `feedback` unsubscribes are complaints."""
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    click_counts: dict[tuple[str, str, str], int] = defaultdict(int)
    stops: list[Suppression] = []
    for event in world.events:
        if event.available_ms >= now_ms:
            continue
        email_id = event.message.email_id
        tally = tallies[email_id]
        key = event.address.lower()
        if event.kind == SENT:
            tally.sent.add(key)
            tally.event_counts["sent"] += 1
        elif event.kind == OPEN:
            tally.openers.add(key)
            tally.last_open_s = max(event.at_s, tally.last_open_s or event.at_s)
        elif event.kind == CLICK:
            tally.clickers.add(key)
            tally.last_click_s = max(event.at_s, tally.last_click_s or event.at_s)
            if event.url:
                click_counts[str(email_id), event.url, key] += 1
        elif event.kind == BOUNCE:
            klass = bounce_class(event.bounce_type, event.bounce_reason)
            tally.bounce_classes[key].add(klass)
            tally.event_counts["bounced"] += 1
            kind = bounce_kind(klass)
            if kind is not None:
                at = file_time_utc(event.at_s, zone)
                stops.append(Suppression(key, kind, at, str(email_id)))
        elif event.kind == UNSUBSCRIBE:
            if event.unsubscribe_type == "feedback":
                tally.complained.add(key)
                tally.event_counts["complained"] += 1
            else:
                tally.unsubscribed.add(key)
                tally.event_counts["unsubscribed"] += 1
            reason = COMPLAINED if event.unsubscribe_type == "feedback" else UNSUBSCRIBED
            stops.append(Suppression(key, reason, file_time_utc(event.at_s, zone), str(email_id)))

    report, counts = [], []
    for email_id in sorted(tallies):
        tally = tallies[email_id]
        hard = sum("hard" in classes for classes in tally.bounce_classes.values())
        soft = len(tally.bounce_classes) - hard
        delivered = len(tally.sent - set(tally.bounce_classes))
        opened, clicked = len(tally.openers), len(tally.clickers)
        report.append(
            {
                **report_row(
                    str(email_id),
                    sent=len(tally.sent),
                    delivered=delivered,
                    opened=opened,
                    last_opened_at=None
                    if tally.last_open_s is None
                    else file_time_utc(tally.last_open_s, zone),
                    clicked=clicked,
                    last_clicked_at=None
                    if tally.last_click_s is None
                    else file_time_utc(tally.last_click_s, zone),
                    hard=hard,
                    soft=soft,
                    unsubscribes=len(tally.unsubscribed),
                    complaints=len(tally.complained),
                ),
                "message_type": world.by_id[email_id].message_type,
            }
        )
        for event_type in EVENT_TYPES:
            if tally.event_counts.get(event_type):
                counts.append(
                    {
                        "campaign_id": str(email_id),
                        "event_type": event_type,
                        "count": tally.event_counts[event_type],
                    }
                )
    clicks = [Click(cid, url, key, n) for (cid, url, key), n in click_counts.items()]
    return {
        "now": rfc3339(from_ms(now_ms)),
        "campaign_report": report,
        "event_counts": counts,
        **marts_truth(clicks, stops),
    }


# -- email_campaign.find -------------------------------------------------------------------------


def find_object(
    world: MaxemailWorld, message: MaxemailMessage, now_ms: int, zone: tzinfo
) -> dict[str, Any]:
    """The `find` object with mixed types like the real one (the project's
    tests/fixtures/maxemail/email_campaign_find.json): most numbers as strings, a few as ints
    (`total_bounces_soft` alternates with the email id's parity), `""` for empty; totals from the
    events visible at the clock."""
    events = world.of_message(message.email_id)
    seen = [e for e in events if e.available_ms < now_ms]
    sends = [e for e in seen if e.kind == SENT]
    opens = [e for e in seen if e.kind == OPEN]
    clicks = [e for e in seen if e.kind == CLICK]
    bounces = [e for e in seen if e.kind == BOUNCE]
    unsubscribes = [e for e in seen if e.kind == UNSUBSCRIBE]

    def unique(items: list[Any]) -> int:
        return len({e.address.lower() for e in items})

    def unsubscribed(kind: str) -> int:
        return sum(e.unsubscribe_type == kind for e in unsubscribes)

    def ts(at_s: int | None) -> str:
        return "" if at_s is None else local_text(at_s, zone)

    now_s = now_ms // 1000
    planned = sum(e.kind == SENT for e in events)
    started = message.start_s <= now_s
    if not message.bulk:
        status = "active" if started else "draft"
        finish = None
    elif not sends:
        status, finish = ("sending" if started else "scheduled"), None
    elif len(sends) < planned:
        status, finish = "sending", None
    else:
        status, finish = "complete", max(e.at_s for e in sends)
    hard = sum(e.bounce_type == "permanent" for e in bounces)
    soft = len(bounces) - hard
    last_update = max((e.at_s for e in seen), default=message.created_s)
    return {
        "email_id": message.email_id,
        "campaign_id": message.campaign_id,
        "name": message.name,
        "description": "",
        "subject_line": message.subject,
        "from_address": message.from_address,
        "from_address_alias": message.from_alias,
        "reply_to": "",
        "reply_to_alias": "",
        "status": status,
        "start_ts": ts(min((e.at_s for e in sends), default=None)),
        "finish_ts": ts(finish),
        "update_ts": ts(last_update),
        "scheduled_ts": ts(message.start_s) if message.bulk and not started else "",
        "list_total": str(planned if message.bulk else len(sends)),
        "total_sent": str(len(sends)),
        "total_opens": str(len(opens)),
        "total_unique_opens": str(unique(opens)),
        "total_clickthrus": str(len(clicks)),
        "total_unique_clickthrus": str(unique(clicks)),
        "total_responses": str(unique(clicks)),
        "total_bounces_hard": hard,
        "total_bounces_soft": str(soft) if message.email_id % 2 == 0 else soft,
        "total_unsubscribes_global": str(unsubscribed("global")),
        "total_unsubscribes_local": unsubscribed("local"),
        "total_unsubscribes_feedback": unsubscribed("feedback"),
        "total_roi_conversions": "0",
        "total_roi_revenue": "0.00",
        "total_roi_unique_conversions": 0,
        "use_opens": "1" if message.message_type != "sms" else "0",
        "use_click_thrus": "1",
        "use_roi": "0",
        "run_check": "1",
        "editor_type": "builder" if message.message_type == CAMPAIGN else "html",
        "encoding": "utf-8",
        "template_id": "",
        "tags": list(message.tags),
        "mvt_variation": "",
        "sample_size": "",
        "spam_score": "0.4",
        "html_source_url": "",
        "text_source_url": "",
        "analytics_code": "",
        "additional_data": "",
        "unsubscribe_method": "link",
    }
