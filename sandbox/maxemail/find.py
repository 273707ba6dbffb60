"""Maxemail's `email_campaign.find` object (docs/CONTRACTS.md 5.1), built in code with the mixed
types of the real one (the project's tests/fixtures/maxemail/email_campaign_find.json)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sandbox.maxemail.model import (
    BOUNCE,
    CAMPAIGN,
    CLICK,
    OPEN,
    SENT,
    UNSUBSCRIBE,
    MaxemailMessage,
    MaxemailWorld,
    local_text,
)


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
