"""Ground truth of Maxemail (`GET /_sandbox/truth/maxemail`, docs/CONTRACTS.md 5.3, 8-10).

Section 4's campaign report per message (`campaign_id` = the email id as text, plus
`message_type`) over the events visible at the clock. Counts are distinct lower-cased addresses
(or phone numbers); delivered = sent and not bounced; clicks include responders;
`unsubscribe_count` = global + local; `complaint_count` = feedback. A bounce's class comes from the digits of the reason's leading token (4xx soft, 5xx
hard, 57x block, which the report counts as soft), falling back on the bounce type (`permanent`
→ hard, else soft) for any other code. Times are those of the files (local, whole seconds) read
back as naive UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from sandbox.maxemail.model import (
    BOUNCE,
    CLICK,
    OPEN,
    SENT,
    UNSUBSCRIBE,
    MaxemailWorld,
    local_text,
    local_to_utc,
)
from sandbox.reports import pairs as kinds
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.marts import (
    COMPLAINED,
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

EVENT_TYPES = ("sent", "bounced", "unsubscribed", "complained")


def truth(
    world: MaxemailWorld, now_ms: int, zone: tzinfo, query: Mapping[str, str] | None
) -> dict[str, Any]:
    """The whole truth document at `now_ms` in the account's timezone `zone` (`query`: the
    report parameters). Maxemail has no unmapped-type surprise."""
    return truth_document(
        maxemail_truth(world, now_ms, zone),
        pairs(world, now_ms, zone),
        campaigns(world, now_ms, zone),
        report_params(query, now_ms),
    )


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
    marts' `link_activity` and `suppressions` (sandbox.reports.marts): a `clicked` row's click
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


def pairs(world: MaxemailWorld, now_ms: int, zone: tzinfo) -> list[PairFacts]:
    """The report marts' pairs (sandbox.reports.pairs): the files' times read back as UTC,
    delivered = sent and not bounced at the first send, the latest open (the `opened` row), the
    first click (`responded`) and each URL's latest click; `feedback` is a complaint."""
    digest = PairDigest()
    latest_open: dict[tuple[str, str], int] = {}
    latest_click: dict[tuple[str, str, str], int] = {}
    for event in world.events:
        if event.available_ms >= now_ms:
            continue
        campaign_id, key = str(event.message.email_id), event.address.lower()
        if event.kind == SENT:
            digest.note(campaign_id, key, kinds.SENT, read_back_ms(event.at_s, zone))
        elif event.kind == BOUNCE:
            klass = bounce_class(event.bounce_type, event.bounce_reason)
            digest.bounce(campaign_id, key, read_back_ms(event.at_s, zone), klass)
        elif event.kind == UNSUBSCRIBE:
            kind = kinds.COMPLAINED if event.unsubscribe_type == "feedback" else kinds.UNSUBSCRIBED
            digest.note(campaign_id, key, kind, read_back_ms(event.at_s, zone))
        elif event.kind == OPEN:
            pair = (campaign_id, key)
            latest_open[pair] = max(event.at_s, latest_open.get(pair, event.at_s))
        elif event.kind == CLICK:
            # `responded` row: the first click of the pair; `clicked` rows: latest per URL
            digest.note(campaign_id, key, kinds.CLICKED, read_back_ms(event.at_s, zone))
            link = (campaign_id, key, event.url)
            latest_click[link] = max(event.at_s, latest_click.get(link, event.at_s))
    for (campaign_id, key), at_s in latest_open.items():
        digest.note(campaign_id, key, kinds.OPENED, read_back_ms(at_s, zone))
    for (campaign_id, key, _), at_s in latest_click.items():
        digest.note(campaign_id, key, kinds.CLICKED, read_back_ms(at_s, zone))
    digest.derive_delivered()
    return digest.facts()


def campaigns(world: MaxemailWorld, now_ms: int, zone: tzinfo) -> list[CampaignFacts]:
    """The messages an export mentions (the loader `find`s those), started at `start_ts`."""
    first_send: dict[int, int | None] = {}
    for event in world.events:
        if event.available_ms >= now_ms:
            continue
        email_id = event.message.email_id
        known = first_send.get(email_id)
        if event.kind == SENT and (known is None or event.at_s < known):
            first_send[email_id] = event.at_s
        else:
            first_send.setdefault(email_id, None)
    return [
        CampaignFacts(
            str(email_id),
            world.by_id[email_id].name,
            None if at_s is None else read_back_ms(at_s, zone),
        )
        for email_id, at_s in first_send.items()
    ]
