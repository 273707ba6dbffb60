"""Benchmark Email campaigns and contact journeys of the synthetic world (PROVIDERS.md section 4,
docs/CONTRACTS.md 7.1, 8): a campaign's content and audience, then per contact `email-rejected`,
or `email-sent` followed by a bounce (hard or soft, SES-like sub-types and diagnostic codes; soft
bounces sometimes repeat or turn hard) or a delivery (sometimes after an `email-delayed`), opens,
clicks on the campaign's links, `contact-unsubscribed` and `email-complaint`. Suppressed contacts
(unsubscribed, complained, hard-bounced) get no later campaign. Drawn from the generator's stream
in a fixed order (sandbox.benchmark.events).

The events go straight into `array.array` columns (sandbox.benchmark.store's layout): the journey
loop runs once per (campaign, contact), so it keeps its state in local names and draws inline
(`low + int(random() * (high - low + 1))` is `between`). An event's raw merge key (CONTRACTS
7.2: contact, type, time, campaign, link) must identify it: only two opens, or two clicks on one
link, of one journey can meet, and the later one moves on by a millisecond.
"""

from __future__ import annotations

import array
import hashlib
import random

import numpy as np

from sandbox.benchmark.machines import machine_events
from sandbox.benchmark.model import (
    ABUSE,
    BOUNCE_CODES,
    BOUNCED,
    BOUNCES,
    CLICKED,
    COMPLAINT,
    CREATED,
    DELAY_CODES,
    DELAYED,
    DELIVERED,
    DELIVERED_OK,
    DRAFT,
    OPENED,
    REJECT_CODES,
    REJECTED,
    SEND_SPREAD_MS,
    SENT,
    TURNED_HARD_CODE,
    TYPE_CODE,
    UNSUBSCRIBED,
    BmeCampaign,
    BmeLink,
)
from sandbox.config import WorldConfig
from sandbox.machines import machine_rng, machine_traits
from sandbox.timeutil import DAY_MS, HOUR_MS, from_ms
from sandbox.wording import SUBJECTS, THEMES

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
NEVER = 2**62  # "not suppressed"

# `type | detail << 4` codes of the events whose detail never changes
_SENT, _OPENED = TYPE_CODE[SENT], TYPE_CODE[OPENED]
_DELIVERED = TYPE_CODE[DELIVERED] | DELIVERED_OK << 4
_COMPLAINT = TYPE_CODE[COMPLAINT] | ABUSE << 4
_UNSUBSCRIBED, _CLICKED = TYPE_CODE[UNSUBSCRIBED], TYPE_CODE[CLICKED]
_REJECTED = tuple(TYPE_CODE[REJECTED] | code << 4 for code in REJECT_CODES)
_DELAYED = tuple(TYPE_CODE[DELAYED] | code << 4 for code in DELAY_CODES)
_BOUNCED = tuple(TYPE_CODE[BOUNCED] | code << 4 for code in BOUNCE_CODES)
_TURNED_HARD = TYPE_CODE[BOUNCED] | TURNED_HARD_CODE << 4
_HARD = tuple(kind == "hard" for kind, *_ in BOUNCES)


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
    """Draws campaigns, audiences and journeys into columns; tracks suppressed contacts."""

    def __init__(
        self, rng: random.Random, cfg: WorldConfig, end_ms: int, created: np.ndarray
    ) -> None:
        self.rng, self.cfg, self.end_ms, self.created = rng, cfg, end_ms, created
        self.at, self.delay, self.code = array.array("q"), array.array("q"), array.array("H")
        self.journey_campaign, self.journey_contact = array.array("i"), array.array("i")
        self.journey_start = array.array("q")
        self.suppressed = [NEVER] * len(created)  # contact → when it stopped receiving mail
        self.import_no = np.zeros(len(created), np.int16)
        self.trigger_user = np.zeros(len(created), np.int16)
        self._bounces: list[int] = []
        self._twin_clicks = 0  # clicks on a URL with a footer twin (every second one goes there)
        rand = rng.random
        at_add, delay_add, code_add = self.at.append, self.delay.append, self.code.append
        span = cfg.max_ingest_delay_seconds * 1000 + 1
        late_rate, late_span = cfg.late_event_rate, round(cfg.max_late_hours * HOUR_MS) - 60_000 + 1

        def record(at: int, code: int) -> None:
            """One event at `at` (`type | detail << 4`) with its ingestion delay."""
            delay = int(rand() * span)
            if rand() < late_rate:
                delay += 60_000 + int(rand() * late_span)
            at_add(at)
            delay_add(delay)
            code_add(code)

        self.record = record
        # machine engagement (sandbox.machines): own stream; labels sparse (row, label)
        self.machine_idx, self.machine_label = array.array("q"), array.array("b")
        self._machine_rng = machine_rng(cfg, "benchmark")
        self._traits = machine_traits(cfg, len(created))
        self.machines = self._traits.any

    def _journey(self, campaign: int, contact: int) -> None:
        self.journey_campaign.append(campaign)
        self.journey_contact.append(contact)
        self.journey_start.append(len(self.at))

    def contact_created(self, contact: int) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            self.import_no[contact] = between(rng, 1000, 9999)
        if rng.random() < 0.5:
            self.trigger_user[contact] = between(rng, 100, 999)
        self._journey(-1, contact)
        at = int(self.created[contact])
        if at < self.end_ms:
            self.record(at, TYPE_CODE[CREATED])

    def campaign(self, kind: str, scheduled: int | None, index: int, now_ms: int) -> BmeCampaign:
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
        suppressed = np.array(self.suppressed, np.int64)
        eligible = np.flatnonzero((self.created < basis - HOUR_MS) & (suppressed > basis))
        audience = rng.sample(eligible.tolist(), round(len(eligible) * rng.uniform(0.6, 0.95)))
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
            self._send(campaign, index, scheduled, audience)
        return campaign

    @staticmethod
    def _extra_link(index: int, cid: str, created: int, url: str) -> tuple[BmeLink, ...]:
        """The first campaign's footer or unclicked link (ids off the random stream)."""
        if index != 0:
            return ()
        return (BmeLink(derived_id(created, f"{cid} {url}"), url.format(slug=f"b{cid[-6:]}")),)

    def _bounce(self, contact: int, at: int) -> None:
        """A bounce at `at` (dealt from shuffled rounds of BOUNCES); a soft one may bounce again
        later, or turn hard."""
        rng, record, end = self.rng, self.record, self.end_ms
        if not self._bounces:
            self._bounces = list(range(len(BOUNCES)))
            rng.shuffle(self._bounces)
        dealt = self._bounces.pop()
        if at < end:
            record(at, _BOUNCED[dealt])
        if _HARD[dealt]:
            self._suppress(contact, at)
            return
        roll = rng.random()
        later = at + between(rng, HOUR_MS, 24 * HOUR_MS)
        if roll < SOFT_THEN_HARD_RATE:
            if later < end:
                record(later, _TURNED_HARD)
            self._suppress(contact, later)
        elif roll < SOFT_THEN_HARD_RATE + SOFT_REPEAT_RATE and later < end:
            record(later, _BOUNCED[dealt])

    def _suppress(self, contact: int, at: int) -> None:
        if self.suppressed[contact] == NEVER:
            self.suppressed[contact] = at

    def _send(self, campaign: BmeCampaign, index: int, scheduled: int, audience: list[int]) -> None:
        """Every journey of a campaign's send, in audience order."""
        rng, cfg, end, record = self.rng, self.cfg, self.end_ms, self.record
        rand, choice, expovariate = rng.random, rng.choice, rng.expovariate
        open_rate, click_rate = cfg.open_rate, cfg.click_rate
        click_without_open, unsubscribe_rate = cfg.click_without_open_rate, cfg.unsubscribe_rate
        suppressed, bounce = self.suppressed, self._bounce
        j_campaign, j_contact = self.journey_campaign.append, self.journey_contact.append
        j_start, events = self.journey_start.append, self.at
        slots = tuple(range(len(campaign.links)))
        footer = {f.url: len(campaign.links) + i for i, f in enumerate(campaign.footer_links)}
        twins = tuple(footer.get(link.url, -1) for link in campaign.links)
        for contact in audience:
            j_campaign(index)
            j_contact(contact)
            j_start(len(events))
            sent = scheduled + int(rand() * (SEND_SPREAD_MS + 1))
            if rand() < REJECT_RATE:
                code = choice(_REJECTED)
                if sent < end:
                    record(sent, code)
                continue
            if sent >= end:
                continue
            record(sent, _SENT)
            delayed = rand() < DELAY_RATE
            if delayed:
                code = choice(_DELAYED)
                at = sent + 1000 + int(rand() * 29_001)
                if at < end:
                    record(at, code)
            if rand() < BOUNCE_RATE:
                bounce(contact, sent + 2000 + int(rand() * 898_001))
                continue
            if delayed:
                delivered = sent + 300_000 + int(rand() * 10_500_001)
            else:
                delivered = sent + 500 + int(rand() * 59_501)
            if delivered < end:
                record(delivered, _DELIVERED)
            opens: list[int] = []
            clicks: list[int] = []
            seen: set[int] = set()
            clicked: set[tuple[int, int]] = set()
            if rand() < open_rate:
                first = delivered + round(min(expovariate(1 / 8), 200.0) * HOUR_MS)
                opens = [first] + [
                    first + 60_000 + int(rand() * 863_940_001) for _ in range(int(rand() * 4))
                ]
                for at in sorted(opens):
                    if at < end:
                        while at in seen:
                            at += 1
                        seen.add(at)
                        record(at, _OPENED)
                if rand() < click_rate:
                    clicks = [choice(opens) + 3000 + int(rand() * 1_197_001) for _ in range(3)]
                    clicks = clicks[: 1 + int(rand() * 3)]
            elif rand() < click_without_open:
                clicks = [delivered + 60_000 + int(rand() * 172_740_001)]
            if clicks:
                for at in sorted(clicks):
                    slot = choice(slots)
                    if twins[slot] >= 0:
                        self._twin_clicks += 1
                        if self._twin_clicks % 2 == 0:
                            slot = twins[slot]
                    if at < end:
                        while (at, slot) in clicked:
                            at += 1
                        clicked.add((at, slot))
                        record(at, _CLICKED | slot << 4)
            last = max(delivered, *opens, *clicks) if opens or clicks else delivered
            if rand() < COMPLAINT_RATE:
                at = last + 60_000 + int(rand() * 172_740_001)
                if at < end:
                    record(at, _COMPLAINT)
                    if suppressed[contact] == NEVER:
                        suppressed[contact] = at
            elif rand() < unsubscribe_rate:
                at = last + 60_000 + int(rand() * 172_740_001)
                if at < end:
                    record(at, _UNSUBSCRIBED)
                    if suppressed[contact] == NEVER:
                        suppressed[contact] = at
            if self.machines and delivered < end:
                machine_events(self, contact, delivered, len(slots), seen, clicked)
