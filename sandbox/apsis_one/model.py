"""APSIS One's part of the world: campaigns (email activities), their links and sends, and the
logical events (PROVIDERS.md 2.3).

Plain slotted records, built once by the generator (sandbox.apsis_one.world) and never mutated
afterwards (only the world clock moves), so the HTTP threads can read them without locks. The
events themselves are columns (sandbox.apsis_one.columns); `ApsisEvent` is one row as a record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sandbox.audience import Recipient, Section

# APSIS event types (PROVIDERS.md 2.3) and the canonical event type each maps to (CONTRACTS.md 4).
SENT, DELIVERED, OPENED, CLICKED = "SENT", "DELIVERED", "OPENED", "CLICKED"
BOUNCED, UNSUBSCRIBED, ABUSE = "BOUNCED", "UNSUBSCRIBED", "ABUSE"
CANONICAL_TYPES = {
    SENT: "sent",
    DELIVERED: "delivered",
    OPENED: "opened",
    CLICKED: "clicked",
    BOUNCED: "bounced",
    UNSUBSCRIBED: "unsubscribed",
    ABUSE: "complained",
}
TYPES = tuple(CANONICAL_TYPES)  # the event columns' type codes index this


def bounce_class(code: str) -> str:
    """Bounce class of an APSIS bounce code (PROVIDERS.md 2.3; the mapping the marts use)."""
    number = int(code)
    if 2000 <= number <= 2999:
        return "hard"
    if 3000 <= number <= 4999:
        return "soft"
    if 1000 <= number <= 1999:
        return "block"
    if 5000 <= number <= 5999:
        return "informational"
    return "unknown"


@dataclass(frozen=True, slots=True)
class Link:
    """A tracked link of a campaign (CLICKED rows carry its id, URL and title)."""

    id: str
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Send:
    """One sub-activity send: a split variant, or the main/winning send (split_id = activity id)."""

    split_id: str
    split_activity_name: str
    variation: str
    subject: str


@dataclass(frozen=True, slots=True)
class Campaign:
    """An APSIS email activity (`/emails/sections/{s}/activities`)."""

    id: str
    section: Section
    name: str
    subject: str
    sender: str
    sent_at: datetime
    links: tuple[Link, ...]
    splits: tuple[Send, ...] = ()  # split-test sub-activities; empty for a plain send
    winner: str = ""  # variation letter of the winning split, '' for a plain send
    # The same URL placed again (a footer button) under its own link id: a click on a link of
    # `links` that has a twin here goes to the twin every second time (CONTRACTS.md 8).
    footer_links: tuple[Link, ...] = ()

    @property
    def is_split_test(self) -> bool:
        return bool(self.splits)

    def footer_twin(self, link: Link) -> Link | None:
        """The footer link with the same URL as `link`, if any."""
        return next((f for f in self.footer_links if f.url == link.url), None)

    def with_section(self, section: Section) -> Campaign:
        """The same campaign over an equal `Section` object (the audience's, after unpickling)."""
        return replace(self, section=section)

    @property
    def all_links(self) -> tuple[Link, ...]:
        """`links`, then `footer_links`: a click's link code indexes this."""
        return self.links + self.footer_links

    def sends(self) -> tuple[Send, ...]:
        """The sends an event's send code indexes: the main send (a split test's winning
        partition: main activity id, winner's variation and subject), then the split variants."""
        if not self.splits:
            return (Send(self.id, self.name, "", self.subject),)
        winner = next(s for s in self.splits if s.variation == self.winner)
        return (Send(self.id, self.name, winner.variation, winner.subject), *self.splits)


@dataclass(slots=True)
class ApsisEvent:
    """One logical APSIS event, as a record: a view of one row of the world's event columns
    (sandbox.apsis_one.columns, built on demand for a few rows), or the input of
    `columns.from_records` (hand-made worlds in tests).

    Times are epoch ms: `true_ms` is when it happened, `server_ms` when APSIS received the first
    copy, `event_ms` what the source reported (the true time, or a 0 / 1970 sentinel) and
    `available_ms` when it became exportable (late indexing adds a lag). A retry copy has the
    same values except `server_ms` = `retry_server_ms`, and is available that much later too.
    """

    seq: int
    correlation: int  # 128-bit; formatted as a UUID-like correlation_id
    campaign: Campaign
    send: Send
    recipient: Recipient
    type: str
    true_ms: int
    server_ms: int = 0
    event_ms: int = 0
    available_ms: int = 0
    retry_server_ms: int | None = None
    device: str = ""
    location: str = ""
    link: Link | None = None
    bounce_code: str = ""
    unsubscribe_topic: str = ""
    abuse_section: str = ""

    @property
    def correlation_id(self) -> str:
        h = f"{self.correlation:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    @property
    def lag_ms(self) -> int:
        return self.available_ms - self.server_ms

    @property
    def retry_available_ms(self) -> int | None:
        if self.retry_server_ms is None:
            return None
        return self.retry_server_ms + self.lag_ms
