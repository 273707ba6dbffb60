"""Maxemail's part of the world: messages of four types and their events (PROVIDERS.md section
1, docs/CONTRACTS.md 5), and the account-local time Maxemail writes.

Events have whole-second UTC times (`at_s`) and an `available_ms`: an event is visible, i.e.
exported, counted by `find` and by the truth, only once `available_ms < world clock`. Built by
sandbox.maxemail.events.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sandbox.audience import Recipient

CAMPAIGN, TRIGGERED, TRANSACTIONAL, SMS = "campaign", "triggered", "transactional", "sms"
MESSAGE_TYPES = (CAMPAIGN, TRIGGERED, TRANSACTIONAL, SMS)
# Event kinds (one per recipient and message, except opens and clicks).
SENT, OPEN, CLICK, BOUNCE, UNSUBSCRIBE = "sent", "open", "click", "bounce", "unsubscribe"
KINDS = (SENT, OPEN, CLICK, BOUNCE, UNSUBSCRIBE)


@dataclass(frozen=True, slots=True)
class MaxemailMessage:
    """A Maxemail message (what `email_campaign.find` describes); ids are unique across types."""

    email_id: int
    message_type: str
    campaign_id: str
    name: str
    subject: str
    from_address: str
    from_alias: str
    bulk: bool  # one send to the audience at `start_s`; else sent one by one from `start_s`
    start_s: int  # epoch seconds, UTC
    created_s: int
    urls: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MaxemailEvent:
    """One event; `address` is the stored email address (mixed case possible) or phone number."""

    message: MaxemailMessage
    recipient: Recipient
    address: str
    kind: str
    at_s: int  # whole seconds, UTC
    available_ms: int
    url: str = ""
    bounce_type: str = ""
    bounce_reason: str = ""
    unsubscribe_type: str = ""


@dataclass
class MaxemailWorld:
    """Messages (by id) and events (grouped by message type and kind, in generation order)."""

    messages: tuple[MaxemailMessage, ...]
    events: list[MaxemailEvent]
    by_id: dict[int, MaxemailMessage] = field(init=False)
    _index: dict[tuple[str, str], list[MaxemailEvent]] = field(init=False)
    _by_message: dict[int, list[MaxemailEvent]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {m.email_id: m for m in self.messages}
        self._index = defaultdict(list)
        self._by_message = defaultdict(list)
        for event in self.events:
            self._index[event.message.message_type, event.kind].append(event)
            self._by_message[event.message.email_id].append(event)

    def of(self, message_type: str, kind: str) -> list[MaxemailEvent]:
        """Events of one message type and kind (visible or not)."""
        return self._index.get((message_type, kind), [])

    def of_message(self, email_id: int) -> list[MaxemailEvent]:
        return self._by_message.get(email_id, [])

    def counts(self) -> dict[str, int]:
        """Messages per type, for summaries."""
        result = dict.fromkeys(MESSAGE_TYPES, 0)
        for message in self.messages:
            result[message.message_type] += 1
        return result

    def summary(self) -> dict[str, Any]:
        return {"maxemail_messages": self.counts(), "maxemail_events": len(self.events)}


# -- local time ----------------------------------------------------------------------------------

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_text(at_s: int, zone: tzinfo) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the account's local time, as Maxemail writes timestamps."""
    return datetime.fromtimestamp(at_s, zone).strftime(LOCAL_FORMAT)


def local_to_utc(text: str, zone: tzinfo) -> datetime:
    """A naive local timestamp read back as aware UTC (the first of two ambiguous instants)."""
    return datetime.strptime(text, LOCAL_FORMAT).replace(tzinfo=zone).astimezone(UTC)
