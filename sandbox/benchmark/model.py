"""Benchmark Email's part of the world: contacts, campaigns and contact events (PROVIDERS.md
section 4, docs/CONTRACTS.md 7.1), and the record shapes the API serves. Built by
sandbox.benchmark.events.

Times are epoch ms (milliseconds are random); an event is visible, i.e. served and counted, once
`available_ms < world clock` (a small ingestion delay, sometimes hours of late indexing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
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

# Campaign kinds: sent before the initial clock, scheduled soon after it, scheduled later, draft.
HISTORICAL, SOON, LATER, DRAFT = "historical", "soon", "later", "draft"
SEND_SPREAD_MS = 10 * 60_000  # a send goes out over up to 10 minutes
SENDER = ("news@bme.example.com", "Example Shop")


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
    """One contact event; `campaign` is None for contact events outside a campaign."""

    seq: int
    type: str
    at_ms: int
    available_ms: int
    contact: BmeContact
    campaign: BmeCampaign | None = None
    link: BmeLink | None = None
    extra: tuple[tuple[str, Any], ...] = ()  # further record fields (bounce, delay, ...)

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


@dataclass
class BenchmarkWorld:
    contacts: tuple[BmeContact, ...]
    campaigns: tuple[BmeCampaign, ...]
    events: list[BmeEvent]  # in time order
    by_id: dict[str, BmeCampaign] = field(init=False)
    _by_campaign: dict[str, list[BmeEvent]] = field(init=False)
    # False (WorldConfig.benchmark_contacts_listed): the account's contact list is empty, as
    # after deleting every contact; the campaigns' contact events stay
    contacts_listed: bool = True

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.campaigns}
        self._by_campaign = defaultdict(list)
        for event in self.events:
            if event.campaign is not None:
                self._by_campaign[event.campaign.id].append(event)

    def of_campaign(self, campaign_id: str) -> list[BmeEvent]:
        return self._by_campaign.get(campaign_id, [])

    def visible(self, now_ms: int) -> list[BmeEvent]:
        return [e for e in self.events if e.available_ms < now_ms]

    def summary(self) -> dict[str, Any]:
        return {"benchmark_campaigns": len(self.campaigns), "benchmark_events": len(self.events)}
