"""Benchmark Email's part of the world: contacts, campaigns and contact events (PROVIDERS.md
section 4, docs/CONTRACTS.md 7.1): the event types, the campaign and link records, the event
details (bounce, delay, reject, ... fields) and the record view of one event. The events
themselves are stored in columns (sandbox.benchmark.store), built by sandbox.benchmark.events.

Times are epoch ms (milliseconds are random); an event is visible, i.e. served and counted, once
`available_ms < world clock` (a small ingestion delay, sometimes hours of late indexing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.audience import Recipient
from sandbox.timeutil import from_ms

# Contact event types (OpenAPI `types` enum) and the canonical type each maps to (CONTRACTS 7.3).
CREATED = "contact-created"
SENT, DELIVERED, OPENED, CLICKED = "email-sent", "email-delivered", "email-opened", "email-clicked"
BOUNCED, COMPLAINT, UNSUBSCRIBED = "email-bounced", "email-complaint", "contact-unsubscribed"
DELAYED, REJECTED = "email-delayed", "email-rejected"
CANONICAL = {
    SENT: "sent",
    DELIVERED: "delivered",
    OPENED: "opened",
    CLICKED: "clicked",
    BOUNCED: "bounced",
    UNSUBSCRIBED: "unsubscribed",
    COMPLAINT: "complained",
    DELAYED: "deferred",
    REJECTED: "dropped",
}
EVENT_TYPES = (
    "contact-created", "contact-updated", "contact-update-failed", "contact-unsubscribed",
    "contact-reactivated", "email-sent", "email-bounced", "email-delivered", "email-delayed",
    "email-rejected", "email-complaint", "email-opened", "email-clicked", "email-skipped",
)  # fmt: skip
TYPE_CODE = {name: code for code, name in enumerate(EVENT_TYPES)}  # the `type` column's codes

# Campaign kinds: sent before the initial clock, scheduled soon after it, scheduled later, draft.
HISTORICAL, SOON, LATER, DRAFT = "historical", "soon", "later", "draft"
SEND_SPREAD_MS = 10 * 60_000  # a send goes out over up to 10 minutes
SENDER = ("news@bme.example.com", "Example Shop")

Detail = tuple[tuple[str, Any], ...]  # an event's further record fields, in record order

# (emailBounceType, emailBounceSubType, emailBounceDiagCode, emailSmtpResponse), dealt in
# shuffled rounds so that a small world shows them all; then the hard bounce a soft one turns into.
BOUNCES = (
    ("hard", "NoEmail", "5.1.1", "550 5.1.1 user unknown"),
    ("soft", "MailboxFull", "4.2.2", "452 4.2.2 mailbox full"),
    ("hard", "ContentRejected", "5.7.1", "554 5.7.1 message blocked by policy"),
    ("soft", "General", "4.4.7", "421 4.4.7 message expired, delivery timed out"),
    ("hard", "General", "5.1.10", "550 5.1.10 recipient address rejected"),
)
TURNED_HARD = ("hard", "General", "5.1.1", "550 5.1.1 mailbox unavailable")
DELAYS = (
    ("MailboxFull", "452 4.2.2 mailbox full, will retry"),
    ("TransientCommunicationFailure", "451 4.4.1 connection timed out, will retry"),
    ("SpamDetected", "451 4.7.1 temporarily deferred, will retry"),
)
REJECT_REASONS = ("Bad content", "Suppressed address")
BOUNCE_KEYS = ("emailBounceType", "emailBounceSubType", "emailBounceDiagCode", "emailSmtpResponse")

# Every detail a generated event carries, by code (the `detail` column of an event that is not a
# click; a click's `detail` is its link's slot in the campaign's `listed_links`). Code 0: none.
DETAILS: tuple[Detail, ...] = (
    (),
    (("emailSmtpResponse", "250 2.0.0 OK"),),
    (("emailComplaintFeedbackType", "abuse"),),
    *((("emailRejectReason", reason),) for reason in REJECT_REASONS),
    *((("emailDelayType", kind), ("emailSmtpResponse", smtp)) for kind, smtp in DELAYS),
    *(tuple(zip(BOUNCE_KEYS, bounce, strict=True)) for bounce in (*BOUNCES, TURNED_HARD)),
)
DETAIL_CODE = {detail: code for code, detail in enumerate(DETAILS)}
DELIVERED_OK, ABUSE = 1, 2
REJECT_CODES = tuple(DETAIL_CODE[(("emailRejectReason", r),)] for r in REJECT_REASONS)
DELAY_CODES = tuple(
    DETAIL_CODE[(("emailDelayType", k), ("emailSmtpResponse", s))] for k, s in DELAYS
)
BOUNCE_CODES = tuple(DETAIL_CODE[tuple(zip(BOUNCE_KEYS, b, strict=True))] for b in BOUNCES)
TURNED_HARD_CODE = DETAIL_CODE[tuple(zip(BOUNCE_KEYS, TURNED_HARD, strict=True))]


def iso_ms(ms: int) -> str:
    """`2026-01-01T00:00:00.000Z`: Benchmark's ISO 8601 UTC with milliseconds."""
    return from_ms(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class BmeContact:
    contact_id: str
    recipient: Recipient
    created_ms: int
    imported: bool  # imported before the timeline: no contact-created event


@dataclass(frozen=True, slots=True)
class BmeLink:
    id: str
    url: str


@dataclass(frozen=True, slots=True)
class BmeCampaign:
    id: str
    kind: str
    name: str
    subject: str
    preview_text: str
    created_ms: int
    edited_ms: int  # last edit before sending (drafts and scheduled campaigns)
    scheduled_ms: int | None  # None for a draft
    planned: int  # totalRecipients
    links: tuple[BmeLink, ...]  # the links recipients click
    footer_links: tuple[BmeLink, ...] = ()  # a URL of `links` again, under its own link id
    unclicked_links: tuple[BmeLink, ...] = ()  # in the content, never clicked

    @property
    def send_end_ms(self) -> int | None:
        return None if self.scheduled_ms is None else self.scheduled_ms + SEND_SPREAD_MS

    @property
    def listed_links(self) -> tuple[BmeLink, ...]:
        """Every link of the content: the report's `linkActivity` entries, in this order."""
        return self.links + self.footer_links + self.unclicked_links

    def footer_twin(self, link: BmeLink) -> BmeLink | None:
        return next((f for f in self.footer_links if f.url == link.url), None)


@dataclass(frozen=True, slots=True)
class BmeEvent:
    """One contact event as a record (`campaign` None for contact events outside a campaign): the
    view `BenchmarkWorld.event(i)` gives of a stored event, and what `BenchmarkWorld.from_events`
    stores (tests)."""

    seq: int
    type: str
    at_ms: int
    available_ms: int
    contact: BmeContact
    campaign: BmeCampaign | None = None
    link: BmeLink | None = None
    extra: Detail = ()  # further record fields (bounce, delay, ...)

    def field(self, name: str) -> Any:
        return next((value for key, value in self.extra if key == name), None)

    def record(self) -> dict[str, Any]:
        """The `/api/contact/events` record (OpenAPI fields; absent ones omitted)."""
        row: dict[str, Any] = {
            "contactId": self.contact.contact_id,
            "type": self.type,
            "timestamp": iso_ms(self.at_ms),
        }
        campaign = self.campaign
        if campaign is not None:
            row.update(
                emailCampaignId=campaign.id,
                emailCampaignName=campaign.name,
                emailSubject=campaign.subject,
                emailSender=SENDER[0],
                emailSenderName=SENDER[1],
                emailTo=self.contact.recipient.address,
            )
        if self.link is not None:
            row.update(emailLinkId=self.link.id, emailTargetUrl=self.link.url)
        row.update(self.extra)
        return row
