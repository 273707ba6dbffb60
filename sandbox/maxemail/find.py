"""Maxemail's `email_campaign.find` object (docs/CONTRACTS.md 5.1), built in code with the mixed
types of the real one (the project's tests/fixtures/maxemail/email_campaign_find.json)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import numpy as np

from sandbox.maxemail.model import (
    BOUNCE,
    CAMPAIGN,
    CLICK,
    KIND_CODE,
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
    c = world.columns
    events = world.of_message(message.email_id)
    seen = events[c.available_ms[events] < now_ms]
    kinds = c.kind[seen]

    def of(kind: str) -> np.ndarray:
        return seen[kinds == KIND_CODE[kind]]

    sends, opens, clicks = of(SENT), of(OPEN), of(CLICK)
    bounces, unsubscribes = of(BOUNCE), of(UNSUBSCRIBE)

    def unique(items: np.ndarray) -> int:
        # a message's recipients have one address each (an email address or a phone number)
        return len(np.unique(c.recipient[items]))

    def unsubscribed(kind: str) -> int:
        return int(np.count_nonzero(c.detail[unsubscribes] == world.unsubscribe_kinds.index(kind)))

    def ts(at_s: int | None) -> str:
        return "" if at_s is None else local_text(at_s, zone)

    now_s = now_ms // 1000
    planned = int(np.count_nonzero(c.kind[events] == KIND_CODE[SENT]))
    started = message.start_s <= now_s
    if not message.bulk:
        status = "active" if started else "draft"
        finish = None
    elif not len(sends):
        status, finish = ("sending" if started else "scheduled"), None
    elif len(sends) < planned:
        status, finish = "sending", None
    else:
        status, finish = "complete", int(c.at_s[sends].max())
    permanent = [i for i, (kind, _) in enumerate(world.bounces) if kind == "permanent"]
    hard = int(np.count_nonzero(np.isin(c.detail[bounces], permanent)))
    soft = len(bounces) - hard
    last_update = int(c.at_s[seen].max()) if len(seen) else message.created_s
    first_send = int(c.at_s[sends].min()) if len(sends) else None
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
        "start_ts": ts(first_send),
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
