"""Benchmark Email contacts, campaigns and contact events of the synthetic world
(PROVIDERS.md section 4, docs/CONTRACTS.md 7.1).

The world's recipients are Benchmark contacts (a 24-hex `contactId` each). Most were imported
before the timeline starts (no event); the rest are created during it (a `contact-created`
event). Campaigns (24-hex `_id`): historical sends spread over the 80 days before the initial
world clock, one scheduled two days after it, one later in the timeline, and one draft. A send
goes to the contacts that exist and are not suppressed (unsubscribed, complained, hard-bounced)
at its time, then draws per contact: `email-rejected`, or `email-sent` followed by a bounce
(hard or soft, SES-like sub-types and diagnostic codes; soft bounces sometimes repeat or turn
hard) or a delivery (sometimes after an `email-delayed`), opens, clicks on the campaign's links,
`contact-unsubscribed` and `email-complaint`. The first campaign's content also has its first URL
again in the footer under another link id (clicked every second time that URL is) and a link
nobody clicks; `linkActivity` lists them all (CONTRACTS.md 8).

Times are epoch ms (milliseconds are random); an event is visible, i.e. served and counted, once
`available_ms < world clock` (a small ingestion delay, sometimes hours of late indexing).

Everything is drawn from its own `random.Random(f"{seed}:benchmark")`, never from the APSIS or
Maxemail generators, so those worlds stay byte-identical.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.catalog import SUBJECTS, THEMES
from sandbox.entities import Recipient
from sandbox.timeutil import DAY_MS, HOUR_MS, from_ms, to_ms

if TYPE_CHECKING:
    from sandbox.world import WorldConfig

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
HISTORY_DAYS = 80  # historical sends fall in the 80 days before the initial clock
SEND_SPREAD_MS = 10 * 60_000  # a send goes out over up to 10 minutes
IMPORTED_SHARE = 0.7  # contacts imported before the timeline (no contact-created event)
# (emailBounceType, emailBounceSubType, emailBounceDiagCode, emailSmtpResponse), dealt in
# shuffled rounds so that a small world shows them all.
BOUNCES = (
    ("hard", "NoEmail", "5.1.1", "550 5.1.1 user unknown"),
    ("soft", "MailboxFull", "4.2.2", "452 4.2.2 mailbox full"),
    ("hard", "ContentRejected", "5.7.1", "554 5.7.1 message blocked by policy"),
    ("soft", "General", "4.4.7", "421 4.4.7 message expired, delivery timed out"),
    ("hard", "General", "5.1.10", "550 5.1.10 recipient address rejected"),
)
DELAYS = (
    ("MailboxFull", "452 4.2.2 mailbox full, will retry"),
    ("TransientCommunicationFailure", "451 4.4.1 connection timed out, will retry"),
    ("SpamDetected", "451 4.7.1 temporarily deferred, will retry"),
)
REJECT_REASONS = ("Bad content", "Suppressed address")
LINK_URLS = (
    "https://shop.example.com/{slug}?utm_source=benchmark&utm_content=hero,banner",
    "https://www.example.com/{slug}/story",
    "https://blog.example.com/{slug}/read-more",
)
FOOTER_URL = LINK_URLS[0]  # the first campaign's footer repeats its first URL (another link id)
UNCLICKED_URL = (
    "https://www.example.com/{slug}/stores"  # a link of the first campaign nobody clicks
)
SENDER = ("news@bme.example.com", "Example Shop")
REJECT_RATE = 0.01
BOUNCE_RATE = 0.08
SOFT_REPEAT_RATE = 0.3  # a soft bounce bounces again later...
SOFT_THEN_HARD_RATE = 0.15  # ...or turns into a hard bounce (hard beats soft)
DELAY_RATE = 0.05
COMPLAINT_RATE = 0.01


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


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def object_id(rng: random.Random, at_ms: int) -> str:
    """A MongoDB-style ObjectId: 4 bytes of creation seconds, 8 random bytes."""
    return f"{max(at_ms, 0) // 1000:08x}{rng.getrandbits(64):016x}"


def derived_id(at_ms: int, name: str) -> str:
    """An ObjectId whose 8 last bytes hash `name`: drawn without the random stream, so adding
    one leaves every other draw of the world unchanged."""
    return f"{max(at_ms, 0) // 1000:08x}{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def generate(
    cfg: WorldConfig, recipients: tuple[Recipient, ...], start: datetime, now: datetime
) -> BenchmarkWorld:
    """Every Benchmark contact, campaign and contact event (deterministic from the config)."""
    rng = random.Random(f"{cfg.seed}:benchmark")
    start_ms, now_ms = to_ms(start), to_ms(now)
    end_ms = start_ms + cfg.days * DAY_MS
    contacts = _contacts(rng, recipients, start_ms, min(now_ms + 20 * DAY_MS, end_ms))
    factory = _Factory(rng, cfg, end_ms)
    for contact in contacts:
        if not contact.imported:
            factory.contact_created(contact)
    count = cfg.campaigns if cfg.benchmark_campaigns is None else cfg.benchmark_campaigns
    campaigns: list[BmeCampaign] = []
    for kind, scheduled in _plans(rng, count, start_ms, now_ms, end_ms):
        campaigns.append(factory.campaign(kind, scheduled, contacts, len(campaigns), now_ms))
    factory.events.sort(key=lambda e: (e.at_ms, e.seq))
    return BenchmarkWorld(
        tuple(contacts),
        tuple(campaigns),
        factory.events,
        contacts_listed=cfg.benchmark_contacts_listed,
    )


def _contacts(
    rng: random.Random, recipients: tuple[Recipient, ...], start_ms: int, last_ms: int
) -> list[BmeContact]:
    result = []
    for recipient in recipients:
        imported = rng.random() < IMPORTED_SHARE
        if imported:
            created = start_ms - _between(rng, DAY_MS, 400 * DAY_MS)
        else:
            created = _between(rng, start_ms, max(last_ms, start_ms))
        result.append(BmeContact(object_id(rng, created), recipient, created, imported))
    return result


def _plans(
    rng: random.Random, count: int, start_ms: int, now_ms: int, end_ms: int
) -> list[tuple[str, int | None]]:
    """(kind, scheduled ms) per campaign, historical sends first, in send order."""
    tail = (SOON, DRAFT, LATER)[: min(max(count, 0), 3)]
    historical = max(count - len(tail), 0)
    low = max(start_ms, now_ms - HISTORY_DAYS * DAY_MS)
    slot = (now_ms - DAY_MS - low) / max(historical, 1)
    plans: list[tuple[str, int | None]] = []
    for i in range(historical):
        at = low + int(i * slot + rng.uniform(0.05, 0.8) * slot)
        plans.append((HISTORICAL, at - at % HOUR_MS + _between(rng, 0, 59) * 60_000))
    for kind in tail:
        if kind == SOON:
            plans.append((SOON, now_ms - now_ms % DAY_MS + 2 * DAY_MS + 9 * HOUR_MS))
        elif kind == LATER:
            at = min(now_ms + 20 * DAY_MS, end_ms - DAY_MS)
            plans.append((LATER, at - at % DAY_MS + 14 * HOUR_MS + 30 * 60_000))
        else:
            plans.append((DRAFT, None))
    return plans


class _Factory:
    """Draws campaigns, audiences and journeys; tracks suppressed contacts."""

    def __init__(self, rng: random.Random, cfg: WorldConfig, end_ms: int) -> None:
        self.rng, self.cfg, self.end_ms = rng, cfg, end_ms
        self.events: list[BmeEvent] = []
        self.suppressed: dict[str, int] = {}  # contact id → when it stopped receiving mail
        self._bounces: list[tuple[str, str, str, str]] = []
        self._identities: set[tuple[str, str, int, str, str]] = set()
        self._twin_clicks = 0  # clicks on a URL with a footer twin (every second one goes there)

    def emit(
        self,
        type_: str,
        at: int,
        contact: BmeContact,
        campaign: BmeCampaign | None = None,
        link: BmeLink | None = None,
        **extra: Any,
    ) -> bool:
        if at >= self.end_ms:
            return False
        campaign_id = campaign.id if campaign is not None else ""
        link_id = link.id if link is not None else ""
        while (contact.contact_id, type_, at, campaign_id, link_id) in self._identities:
            at += 1  # the raw merge key (CONTRACTS 7.2) must identify one event
        self._identities.add((contact.contact_id, type_, at, campaign_id, link_id))
        rng, cfg = self.rng, self.cfg
        available = at + _between(rng, 0, cfg.max_ingest_delay_seconds * 1000)
        if rng.random() < cfg.late_event_rate:
            available += _between(rng, 60_000, round(cfg.max_late_hours * HOUR_MS))
        self.events.append(
            BmeEvent(
                len(self.events),
                type_,
                at,
                available,
                contact,
                campaign,
                link,
                tuple(extra.items()),
            )
        )
        return True

    def contact_created(self, contact: BmeContact) -> None:
        extra: dict[str, Any] = {"source": "form"}
        if self.rng.random() < 0.5:
            n = _between(self.rng, 1000, 9999)
            extra = {
                "source": "import",
                "importId": f"imp-{n}",
                "importOriginalFileName": f"{n}.csv",
            }
        if self.rng.random() < 0.5:
            extra["triggeredBy"] = {"type": "user", "userId": f"u-{_between(self.rng, 100, 999)}"}
        self.emit(CREATED, contact.created_ms, contact, None, None, **extra)

    def campaign(
        self,
        kind: str,
        scheduled: int | None,
        contacts: list[BmeContact],
        index: int,
        now_ms: int,
    ) -> BmeCampaign:
        rng = self.rng
        basis = scheduled if scheduled is not None else now_ms - 5 * DAY_MS
        created = basis - _between(rng, HOUR_MS, 3 * DAY_MS)
        edited = created + _between(rng, 60_000, HOUR_MS)
        day = from_ms(basis).strftime("%Y-%m-%d")
        theme = THEMES[index % len(THEMES)]
        name = f"{theme} {day}" if kind != DRAFT else f"{theme} (draft)"
        cid = object_id(rng, created)
        links = tuple(
            BmeLink(object_id(rng, created), url.format(slug=f"b{cid[-6:]}"))
            for url in LINK_URLS[: 3 if index == 0 else _between(rng, 1, 3)]
        )
        eligible = [
            c
            for c in contacts
            if c.created_ms < basis - HOUR_MS
            and self.suppressed.get(c.contact_id, basis + 1) > basis
        ]
        audience = rng.sample(eligible, round(len(eligible) * rng.uniform(0.6, 0.95)))
        campaign = BmeCampaign(
            id=cid,
            kind=kind,
            name=name,
            subject=rng.choice(SUBJECTS),
            preview_text=f"{theme}: what is new this week",
            created_ms=created,
            edited_ms=edited,
            scheduled_ms=scheduled,
            planned=len(audience),
            links=links,
            footer_links=self._extra_link(index, cid, created, FOOTER_URL),
            unclicked_links=self._extra_link(index, cid, created, UNCLICKED_URL),
        )
        if scheduled is not None:
            for contact in audience:
                self.journey(campaign, contact, scheduled + _between(rng, 0, SEND_SPREAD_MS))
        return campaign

    @staticmethod
    def _extra_link(index: int, cid: str, created: int, url: str) -> tuple[BmeLink, ...]:
        """The first campaign's footer or unclicked link (ids off the random stream)."""
        if index != 0:
            return ()
        return (BmeLink(derived_id(created, f"{cid} {url}"), url.format(slug=f"b{cid[-6:]}")),)

    def _clicked_link(self, campaign: BmeCampaign, link: BmeLink) -> BmeLink:
        """`link`, or its footer twin every second time (a counter, not the random stream)."""
        twin = campaign.footer_twin(link)
        if twin is None:
            return link
        self._twin_clicks += 1
        return twin if self._twin_clicks % 2 == 0 else link

    def _deal_bounce(self) -> tuple[str, str, str, str]:
        if not self._bounces:
            self._bounces = list(BOUNCES)
            self.rng.shuffle(self._bounces)
        return self._bounces.pop()

    def _bounce(self, campaign: BmeCampaign, contact: BmeContact, at: int) -> None:
        rng = self.rng
        kind, subtype, code, smtp = self._deal_bounce()

        def bounce(when: int, kind: str, subtype: str, code: str, smtp: str) -> None:
            self.emit(
                BOUNCED,
                when,
                contact,
                campaign,
                emailBounceType=kind,
                emailBounceSubType=subtype,
                emailBounceDiagCode=code,
                emailSmtpResponse=smtp,
            )
            if kind == "hard":
                self.suppressed.setdefault(contact.contact_id, when)

        bounce(at, kind, subtype, code, smtp)
        if kind == "soft":
            roll = rng.random()
            later = at + _between(rng, HOUR_MS, 24 * HOUR_MS)
            if roll < SOFT_THEN_HARD_RATE:
                bounce(later, "hard", "General", "5.1.1", "550 5.1.1 mailbox unavailable")
            elif roll < SOFT_THEN_HARD_RATE + SOFT_REPEAT_RATE:
                bounce(later, kind, subtype, code, smtp)

    def journey(self, campaign: BmeCampaign, contact: BmeContact, sent: int) -> None:
        rng, cfg = self.rng, self.cfg
        if rng.random() < REJECT_RATE:
            self.emit(
                REJECTED, sent, contact, campaign, emailRejectReason=rng.choice(REJECT_REASONS)
            )
            return
        if not self.emit(SENT, sent, contact, campaign):
            return
        delayed = rng.random() < DELAY_RATE
        if delayed:
            delay_type, smtp = rng.choice(DELAYS)
            self.emit(
                DELAYED,
                sent + _between(rng, 1000, 30_000),
                contact,
                campaign,
                emailDelayType=delay_type,
                emailSmtpResponse=smtp,
            )
        if rng.random() < BOUNCE_RATE:
            self._bounce(campaign, contact, sent + _between(rng, 2000, 15 * 60_000))
            return
        delivered = sent + (
            _between(rng, 5 * 60_000, 3 * HOUR_MS) if delayed else _between(rng, 500, 60_000)
        )
        self.emit(DELIVERED, delivered, contact, campaign, emailSmtpResponse="250 2.0.0 OK")
        opens: list[int] = []
        clicks: list[int] = []
        if rng.random() < cfg.open_rate:
            first = delivered + round(min(rng.expovariate(1 / 8), 200.0) * HOUR_MS)
            opens = [first] + [
                first + _between(rng, 60_000, 240 * HOUR_MS) for _ in range(_between(rng, 0, 3))
            ]
            for at in sorted(opens):
                self.emit(OPENED, at, contact, campaign)
            if rng.random() < cfg.click_rate:
                clicks = [rng.choice(opens) + _between(rng, 3000, 1_200_000) for _ in range(3)]
                clicks = clicks[: _between(rng, 1, 3)]
        elif rng.random() < cfg.click_without_open_rate:
            clicks = [delivered + _between(rng, 60_000, 48 * HOUR_MS)]
        for at in sorted(clicks):
            link = self._clicked_link(campaign, rng.choice(campaign.links))
            self.emit(CLICKED, at, contact, campaign, link)
        last = max([delivered, *opens, *clicks])
        if rng.random() < COMPLAINT_RATE:
            at = last + _between(rng, 60_000, 48 * HOUR_MS)
            if self.emit(COMPLAINT, at, contact, campaign, emailComplaintFeedbackType="abuse"):
                self.suppressed.setdefault(contact.contact_id, at)
        elif rng.random() < cfg.unsubscribe_rate:
            at = last + _between(rng, 60_000, 48 * HOUR_MS)
            if self.emit(UNSUBSCRIBED, at, contact, campaign):
                self.suppressed.setdefault(contact.contact_id, at)
