"""Benchmark Email campaigns and contact journeys of the synthetic world (PROVIDERS.md section 4,
docs/CONTRACTS.md 7.1, 8): a campaign's content and audience, then per contact `email-rejected`,
or `email-sent` followed by a bounce (hard or soft, SES-like sub-types and diagnostic codes; soft
bounces sometimes repeat or turn hard) or a delivery (sometimes after an `email-delayed`), opens,
clicks on the campaign's links, `contact-unsubscribed` and `email-complaint`. Suppressed contacts
(unsubscribed, complained, hard-bounced) get no later campaign. Drawn from the generator's stream
in a fixed order (sandbox.benchmark.events).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from sandbox.benchmark.model import (
    BOUNCED,
    CLICKED,
    COMPLAINT,
    CREATED,
    DELAYED,
    DELIVERED,
    DRAFT,
    OPENED,
    REJECTED,
    SEND_SPREAD_MS,
    SENT,
    UNSUBSCRIBED,
    BmeCampaign,
    BmeContact,
    BmeEvent,
    BmeLink,
)
from sandbox.config import WorldConfig
from sandbox.timeutil import DAY_MS, HOUR_MS, from_ms
from sandbox.wording import SUBJECTS, THEMES

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
REJECT_RATE = 0.01
BOUNCE_RATE = 0.08
SOFT_REPEAT_RATE = 0.3  # a soft bounce bounces again later...
SOFT_THEN_HARD_RATE = 0.15  # ...or turns into a hard bounce (hard beats soft)
DELAY_RATE = 0.05
COMPLAINT_RATE = 0.01


def between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def object_id(rng: random.Random, at_ms: int) -> str:
    """A MongoDB-style ObjectId: 4 bytes of creation seconds, 8 random bytes."""
    return f"{max(at_ms, 0) // 1000:08x}{rng.getrandbits(64):016x}"


def derived_id(at_ms: int, name: str) -> str:
    """An ObjectId whose 8 last bytes hash `name`: drawn without the random stream, so adding
    one leaves every other draw of the world unchanged."""
    return f"{max(at_ms, 0) // 1000:08x}{hashlib.sha256(name.encode()).hexdigest()[:16]}"


class Factory:
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
        available = at + between(rng, 0, cfg.max_ingest_delay_seconds * 1000)
        if rng.random() < cfg.late_event_rate:
            available += between(rng, 60_000, round(cfg.max_late_hours * HOUR_MS))
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
            n = between(self.rng, 1000, 9999)
            extra = {
                "source": "import",
                "importId": f"imp-{n}",
                "importOriginalFileName": f"{n}.csv",
            }
        if self.rng.random() < 0.5:
            extra["triggeredBy"] = {"type": "user", "userId": f"u-{between(self.rng, 100, 999)}"}
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
        created = basis - between(rng, HOUR_MS, 3 * DAY_MS)
        edited = created + between(rng, 60_000, HOUR_MS)
        day = from_ms(basis).strftime("%Y-%m-%d")
        theme = THEMES[index % len(THEMES)]
        name = f"{theme} {day}" if kind != DRAFT else f"{theme} (draft)"
        cid = object_id(rng, created)
        links = tuple(
            BmeLink(object_id(rng, created), url.format(slug=f"b{cid[-6:]}"))
            for url in LINK_URLS[: 3 if index == 0 else between(rng, 1, 3)]
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
                self.journey(campaign, contact, scheduled + between(rng, 0, SEND_SPREAD_MS))
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
            later = at + between(rng, HOUR_MS, 24 * HOUR_MS)
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
                sent + between(rng, 1000, 30_000),
                contact,
                campaign,
                emailDelayType=delay_type,
                emailSmtpResponse=smtp,
            )
        if rng.random() < BOUNCE_RATE:
            self._bounce(campaign, contact, sent + between(rng, 2000, 15 * 60_000))
            return
        delivered = sent + (
            between(rng, 5 * 60_000, 3 * HOUR_MS) if delayed else between(rng, 500, 60_000)
        )
        self.emit(DELIVERED, delivered, contact, campaign, emailSmtpResponse="250 2.0.0 OK")
        opens: list[int] = []
        clicks: list[int] = []
        if rng.random() < cfg.open_rate:
            first = delivered + round(min(rng.expovariate(1 / 8), 200.0) * HOUR_MS)
            opens = [first] + [
                first + between(rng, 60_000, 240 * HOUR_MS) for _ in range(between(rng, 0, 3))
            ]
            for at in sorted(opens):
                self.emit(OPENED, at, contact, campaign)
            if rng.random() < cfg.click_rate:
                clicks = [rng.choice(opens) + between(rng, 3000, 1_200_000) for _ in range(3)]
                clicks = clicks[: between(rng, 1, 3)]
        elif rng.random() < cfg.click_without_open_rate:
            clicks = [delivered + between(rng, 60_000, 48 * HOUR_MS)]
        for at in sorted(clicks):
            link = self._clicked_link(campaign, rng.choice(campaign.links))
            self.emit(CLICKED, at, contact, campaign, link)
        last = max([delivered, *opens, *clicks])
        if rng.random() < COMPLAINT_RATE:
            at = last + between(rng, 60_000, 48 * HOUR_MS)
            if self.emit(COMPLAINT, at, contact, campaign, emailComplaintFeedbackType="abuse"):
                self.suppressed.setdefault(contact.contact_id, at)
        elif rng.random() < cfg.unsubscribe_rate:
            at = last + between(rng, 60_000, 48 * HOUR_MS)
            if self.emit(UNSUBSCRIBED, at, contact, campaign):
                self.suppressed.setdefault(contact.contact_id, at)
