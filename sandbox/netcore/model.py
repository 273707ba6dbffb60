"""Netcore's records: campaigns and messages, each message its whole planned life read at a clock
(`state_at`), and the account-local time Netcore writes (PROVIDERS.md section 3, docs/CONTRACTS.md
6). The world stores messages in columns (sandbox.netcore.store, built by sandbox.netcore.events)
and hands out a `NetcoreMessage` only when one is asked for.

Netcore reports one row per message (`trid`) in its **latest status**: `state_at(message,
now_ms)` reads the life at a world clock, every part counting once its time is before the clock
(no indexing lag). Times are whole seconds, UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sandbox.audience import Recipient

# Statuses (PROVIDERS.md 3.4 and 3.6), in the order a message can reach them.
PROCESSED, SENT, DELIVERED = "processed", "sent", "delivered"
DROPPED, INVALID, HARDBOUNCE, SOFTBOUNCE = "dropped", "invalid", "hardbounce", "softbounce"
BOUNCE = "bounce"  # a bounce without Netcore's own class: `remarks` tells hard from soft
OPEN, CLICK, UNSUBSCRIBE, SPAM = "open", "click", "unsubscribe", "spam"
STATUSES = (
    PROCESSED, SENT, DELIVERED, DROPPED, INVALID, HARDBOUNCE, SOFTBOUNCE, BOUNCE,
    OPEN, CLICK, UNSUBSCRIBE, SPAM,
)  # fmt: skip


# What Netcore writes in `remarks` (the SMTP response of a bounce or delivery, or the reason of a
# drop), as the generator deals them.
HARD_REMARKS = (
    "550 5.1.1 user unknown",
    "550 5.1.10 recipient address rejected: user not found",
    "554 5.7.1 message rejected due to policy",
)
SOFT_REMARKS = (
    "452 4.2.2 mailbox full",
    "421 4.7.0 temporary deferral: try again later",
    "450 4.4.7 message expired: retries exhausted",
)
# Plain `bounce` rows, cycled in order: what a hard bounce says (enhanced 5.1.1 -> 511, a basic
# 550 alone) and what a soft one says (4.2.2 -> 422 soft, 5.7.1 -> 571 block, no code: unknown).
PLAIN_HARD_REMARKS = ("550 5.1.1 user unknown", "550 mailbox unavailable")
PLAIN_SOFT_REMARKS = (
    "452 4.2.2 mailbox full",
    "554 5.7.1 message rejected due to policy",
    "Unknown Reason",
)
DELIVERED_REMARK = "250 2.0.0 OK {queue} - accepted for delivery"
DROPPED_REMARK = "Recipient is on the suppression list"
INVALID_REMARK = "Invalid email address"


@dataclass(frozen=True, slots=True)
class NetcoreCampaign:
    """A Netcore campaign: `id` travels in X-APIHEADER (`xapiheader`), `name` in `tags`."""

    id: str
    name: str
    subject: str
    from_address: str
    start_s: int
    size: int
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NetcoreMessage:
    """One message (`trid`) and its whole planned life; `state_at` reads it at a clock."""

    trid: int
    campaign: NetcoreCampaign
    recipient: Recipient
    address: str  # rcptEmail as Netcore stores it (mixed case possible; malformed when invalid)
    requested_s: int
    size: int
    outcome: str  # DROPPED | INVALID | HARDBOUNCE | SOFTBOUNCE | BOUNCE | DELIVERED
    outcome_s: int  # when the outcome happened (drop, bounce or delivery)
    sent_s: int | None  # relayed (None when dropped or invalid)
    remarks: str  # SMTP response (bounce, delivery) or the drop reason
    opens: tuple[tuple[int, str], ...] = ()  # (at_s, ip), in time order
    clicks: tuple[tuple[int, str, str], ...] = ()  # (at_s, ip, link), in time order
    final: str = ""  # "" | UNSUBSCRIBE | SPAM
    final_s: int = 0


@dataclass(frozen=True, slots=True)
class MessageState:
    """A message as Netcore reports it at a clock: latest status, when it was reached, and the
    delivery, opens and clicks so far."""

    message: NetcoreMessage
    status: str
    modified_s: int
    sent: bool
    delivered_s: int | None
    opens: tuple[tuple[int, str], ...]
    clicks: tuple[tuple[int, str, str], ...]

    @property
    def remarks(self) -> str:
        if self.status in (PROCESSED, SENT):
            return ""
        return self.message.remarks


def state_at(message: NetcoreMessage, now_ms: int) -> MessageState | None:
    """The message at the clock (None before its request). A part of its life counts once its
    time is before the clock; the status is the furthest stage reached (open < click <
    unsubscribe/spam), `modified_s` when it was reached."""

    def seen(at_s: int | None) -> bool:
        return at_s is not None and at_s * 1000 < now_ms

    if not seen(message.requested_s):
        return None
    status, modified = PROCESSED, message.requested_s
    sent = seen(message.sent_s)
    delivered: int | None = None
    opens: tuple[tuple[int, str], ...] = ()
    clicks: tuple[tuple[int, str, str], ...] = ()
    if sent and message.sent_s is not None:
        status, modified = SENT, message.sent_s
    if seen(message.outcome_s):
        status, modified = message.outcome, message.outcome_s
        if message.outcome == DELIVERED:
            delivered = message.outcome_s
            opens = tuple(o for o in message.opens if seen(o[0]))
            clicks = tuple(c for c in message.clicks if seen(c[0]))
            if opens:
                status, modified = OPEN, opens[0][0]
            if clicks:
                status, modified = CLICK, clicks[0][0]
            if message.final and seen(message.final_s):
                status, modified = message.final, message.final_s
    return MessageState(message, status, modified, sent, delivered, opens, clicks)


def __getattr__(name: str) -> Any:
    """`NetcoreWorld`, the columnar part, lives in sandbox.netcore.store (it imports this)."""
    if name == "NetcoreWorld":
        from sandbox.netcore.store import NetcoreWorld

        return NetcoreWorld
    raise AttributeError(name)


# -- local time ----------------------------------------------------------------------------------

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_text(at_s: int, zone: tzinfo) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the account's timezone, as Netcore writes times."""
    return datetime.fromtimestamp(at_s, zone).strftime(LOCAL_FORMAT)


def local_day_bounds(first: str, last: str, zone: tzinfo) -> tuple[int, int]:
    """Epoch seconds `[start of first, start of the day after last)` of local dates."""
    start = datetime.strptime(first, "%Y-%m-%d").replace(tzinfo=zone)
    end = datetime.strptime(last, "%Y-%m-%d").replace(tzinfo=zone) + timedelta(days=1)
    return int(start.timestamp()), int(end.timestamp())
