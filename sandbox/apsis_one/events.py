"""APSIS One email events of the synthetic world, quirks included (PROVIDERS.md 2.3).

Per campaign recipient: SENT, then DELIVERED or BOUNCED; delivered recipients may get an
auto-reply (informational 5xxx bounce), open 1–5 times over up to ~10 days, click, unsubscribe or
report abuse. Every logical event gets a unique correlation_id, a true time, an ingestion delay
(`server_time`), sometimes a late-indexing lag, a retry copy, or an `event_time` of 0 / 1970.
Events whose true time is past the end of the timeline are dropped.

The draws from the seeded stream are the same, in the same order, as when every event was a
Python object; the events are now appended to columns (sandbox.apsis_one.columns) as codes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from sandbox.apsis_one.columns import (
    AUTO_REPLY_CODES,
    BOUNCE_CODE_INDEX,
    BOUNCE_CODES,
    DEVICE_CODES,
    LOCATION_CODES,
    TYPE_CODES,
    UNSUBSCRIBE_TOPICS,
    ColumnBuilder,
    EventColumns,
)
from sandbox.apsis_one.machines import machine_events
from sandbox.apsis_one.model import (
    ABUSE,
    BOUNCED,
    CLICKED,
    DELIVERED,
    OPENED,
    SENT,
    UNSUBSCRIBED,
    Campaign,
    bounce_class,
)
from sandbox.audience import Recipient
from sandbox.config import WorldConfig
from sandbox.machines import machine_rng, machine_traits
from sandbox.timeutil import HOUR_MS, to_ms

DEVICES = ("DESKTOP", "MOBILE", "MOBILE", "MOBILE", "TABLET", "SMART_TV", "UNKNOWN")
DEVICE_SUFFIXES = {
    "MOBILE": ("iOS 17", "Android 14"),
    "DESKTOP": ("Windows", "macOS"),
    "TABLET": ("iPadOS 17",),
    "SMART_TV": ("Tizen",),
    "UNKNOWN": ("bot?",),
}
NEW_DEVICES = ("WATCH", "CAR")
COUNTRIES = ("SE", "SE", "SE", "NO", "DK", "FI", "GB", "DE", "US", "NL")
LOCATION_SUFFIXES = {
    "SE": ("SE-AB", "SE-O"),
    "NO": ("NO-03",),
    "DK": ("DK-84",),
    "FI": ("FI:Helsinki",),
    "GB": ("GB:London", "GB-MAN"),
    "DE": ("DE-BE",),
    "US": ("US-CA", "US:New York"),
    "NL": ("NL-NH",),
}
SEND_SPREAD_MS = 20 * 60_000  # a large send goes out over ~20 minutes


def _between(rng: random.Random, low: int, high: int) -> int:
    """Uniform integer in [low, high]; `randint` costs 4x more and this runs ~10 times an event."""
    return low + int(rng.random() * (high - low + 1))


_SENT, _DELIVERED, _OPENED = TYPE_CODES[SENT], TYPE_CODES[DELIVERED], TYPE_CODES[OPENED]
_CLICKED, _BOUNCED = TYPE_CODES[CLICKED], TYPE_CODES[BOUNCED]
_UNSUBSCRIBED, _ABUSE = TYPE_CODES[UNSUBSCRIBED], TYPE_CODES[ABUSE]
_SOFT_CODES = frozenset(code for code in BOUNCE_CODES if bounce_class(code) == "soft")


def generate_events(
    rng: random.Random,
    cfg: WorldConfig,
    campaigns: tuple[Campaign, ...],
    recipients: tuple[Recipient, ...],
    end_ms: int,
) -> EventColumns:
    """Every logical APSIS event of the world, grouped by campaign and recipient."""
    factory = _EventFactory(rng, cfg, end_ms, ColumnBuilder(len(campaigns)), len(recipients))
    by_section: dict[int, list[Recipient]] = {}
    for recipient in recipients:
        by_section.setdefault(id(recipient.section), []).append(recipient)
    for index, campaign in enumerate(campaigns):
        factory.start_campaign(index, campaign)
        section_audience = by_section.get(id(campaign.section), [])
        for send, recipient, send_ms in _sends(rng, cfg, campaign, section_audience):
            factory.recipient_events(send, recipient, send_ms)
    return factory.columns.finish(factory.salt)


def _sends(
    rng: random.Random, cfg: WorldConfig, campaign: Campaign, section_audience: list[Recipient]
) -> Iterator[tuple[int, Recipient, int]]:
    """Who gets which variant (its code in `Campaign.sends()`) when: split groups at sent_at,
    the rest (winner) later."""
    share = rng.uniform(cfg.audience_share_min, 1.0)
    audience = rng.sample(section_audience, round(len(section_audience) * share))
    sent_ms = to_ms(campaign.sent_at)
    if not campaign.is_split_test:
        for recipient in audience:
            yield 0, recipient, sent_ms
        return
    group = max(1, round(len(audience) * cfg.split_group_share))
    for k in range(len(campaign.splits)):
        for recipient in audience[k * group : (k + 1) * group]:
            yield k + 1, recipient, sent_ms
    final_ms = sent_ms + round(cfg.winner_delay_hours * HOUR_MS)
    for recipient in audience[len(campaign.splits) * group :]:
        yield 0, recipient, final_ms


class _EventFactory:
    """Draws the recipient journeys and the per-event delivery quirks into columns."""

    def __init__(
        self,
        rng: random.Random,
        cfg: WorldConfig,
        end_ms: int,
        columns: ColumnBuilder,
        recipients: int = 0,
    ) -> None:
        self.rng, self.cfg, self.end_ms, self.columns = rng, cfg, end_ms, columns
        self.salt = rng.getrandbits(128)
        self._bounce_codes: list[str] = []
        self._twin_clicks = 0  # clicks on links with a footer twin (every second one goes there)
        self._rows = 0
        self._campaign: Campaign | None = None
        self._campaign_index = 0
        # per link of the current campaign: (its code, its footer twin's code or -1)
        self._link_codes: list[tuple[int, int]] = []
        # machine engagement (sandbox.machines): own stream, events added after the human ones
        self._machine_rng = machine_rng(cfg, "apsis_one")
        self._traits = machine_traits(cfg, max(recipients, 0))
        self._machines = self._traits.any
        self._zero = cfg.zero_event_time_rate
        self._epoch = cfg.zero_event_time_rate + cfg.epoch_1970_rate
        self._ingest = cfg.max_ingest_delay_seconds * 1000
        self._late_max = round(cfg.max_late_hours * HOUR_MS)
        c = columns
        self._dense = (
            c.campaign.append, c.recipient.append, c.send.append, c.kind.append,
            c.device.append, c.location.append, c.detail.append, c.true_ms.append,
            c.delay.append, c.machine.append,
        )  # fmt: skip

    def start_campaign(self, index: int, campaign: Campaign) -> None:
        self._campaign, self._campaign_index = campaign, index
        links = campaign.all_links
        self._link_codes = []
        for code, link in enumerate(campaign.links):
            twin = campaign.footer_twin(link)
            self._link_codes.append((code, -1 if twin is None else links.index(twin)))

    def recipient_events(self, send: int, recipient: Recipient, send_ms: int) -> None:
        rng, cfg = self.rng, self.cfg
        ctx = (self._campaign_index, recipient.index, send)
        emit = self._emit

        sent = send_ms + _between(rng, 0, SEND_SPREAD_MS)
        emit(ctx, _SENT, sent)
        if rng.random() >= cfg.delivery_rate:
            code = self._next_bounce_code()
            bounced = sent + _between(rng, 2_000, 600_000)
            detail = BOUNCE_CODE_INDEX[code]
            emit(ctx, _BOUNCED, bounced, 0, 0, detail)
            if code in _SOFT_CODES and rng.random() < cfg.soft_bounce_repeat_rate:
                emit(ctx, _BOUNCED, bounced + _between(rng, HOUR_MS, 24 * HOUR_MS), 0, 0, detail)
            return
        delivered = sent + _between(rng, 1_000, 90_000)
        if not emit(ctx, _DELIVERED, delivered):
            return
        if rng.random() < cfg.auto_reply_rate:
            code = rng.choice(AUTO_REPLY_CODES)
            at = delivered + _between(rng, 300_000, 2 * HOUR_MS)
            emit(ctx, _BOUNCED, at, 0, 0, BOUNCE_CODE_INDEX[code])
        opens: list[int] = []
        if rng.random() < cfg.open_rate:
            first_delay = min(rng.expovariate(1 / 8), 200.0) * HOUR_MS
            opens.append(delivered + round(first_delay))
            for _ in range(_between(rng, 1, 5) - 1):
                opens.append(opens[0] + _between(rng, 60_000, round(240 * HOUR_MS - first_delay)))
            opens.sort()
            for at in opens:
                device, location = self._client(recipient)
                emit(ctx, _OPENED, at, device, location)
            if rng.random() < cfg.click_rate:
                for _ in range(_between(rng, 1, 3)):
                    at = rng.choice(opens) + _between(rng, 5_000, 1_200_000)
                    link = self._click()
                    device, location = self._client(recipient)
                    emit(ctx, _CLICKED, at, device, location, link)
        elif rng.random() < cfg.click_without_open_rate:
            at = delivered + round(min(rng.expovariate(1 / 6), 200.0) * HOUR_MS)
            link = self._click()
            device, location = self._client(recipient)
            emit(ctx, _CLICKED, at, device, location, link)
        after = opens[-1] if opens else delivered
        if rng.random() < cfg.unsubscribe_rate:
            topic = UNSUBSCRIBE_TOPICS.index(rng.choice(UNSUBSCRIBE_TOPICS))
            emit(ctx, _UNSUBSCRIBED, after + _between(rng, 60_000, 48 * HOUR_MS), 0, 0, topic)
        if rng.random() < cfg.abuse_rate:
            emit(ctx, _ABUSE, delivered + _between(rng, 600_000, 72 * HOUR_MS))
        if self._machines:
            machine_events(self, ctx, recipient, delivered)

    def _click(self) -> int:
        """The link code of a click; a link with a footer twin is clicked in the footer every
        second time (a counter, not the random stream, decides)."""
        code, twin = self.rng.choice(self._link_codes)
        if twin >= 0:
            self._twin_clicks += 1
            return twin if self._twin_clicks % 2 == 0 else code
        return code

    def _client(self, recipient: Recipient) -> tuple[int, int]:
        """device and location codes of an open or click (suffixes and new values included)."""
        rng, cfg = self.rng, self.cfg
        device = rng.choice(DEVICES)
        roll = rng.random()
        if roll < cfg.new_device_rate:
            device = rng.choice(NEW_DEVICES)
        elif roll < cfg.new_device_rate + cfg.device_suffix_rate:
            device = f"{device}:{rng.choice(DEVICE_SUFFIXES[device])}"
        country = COUNTRIES[recipient.index % len(COUNTRIES)]
        if rng.random() < cfg.location_suffix_rate:
            country = rng.choice(LOCATION_SUFFIXES[country])
        return DEVICE_CODES[device], LOCATION_CODES[country]

    def _next_bounce_code(self) -> str:
        if not self._bounce_codes:
            self._bounce_codes = list(BOUNCE_CODES)
            self.rng.shuffle(self._bounce_codes)
        return self._bounce_codes.pop()

    def _emit(
        self,
        ctx: tuple[int, int, int],
        kind: int,
        true_ms: int,
        device: int = 0,
        location: int = 0,
        detail: int = 0,
        rng: random.Random | None = None,
    ) -> bool:
        """Record one logical event with its delivery quirks (drawn from `rng`, the main stream
        by default); False when past the timeline."""
        if true_ms >= self.end_ms:
            return False
        rng = self.rng if rng is None else rng
        columns = self.columns
        random_ = rng.random
        row = self._rows
        self._rows = row + 1
        delay = int(random_() * (self._ingest + 1))  # _between(rng, 0, ingest)
        roll = random_()
        if roll < self._zero:
            columns.exc_idx.append(row)  # the source did not report a time
            columns.exc_value.append(0)
        elif roll < self._epoch:
            # 1970: the source sent seconds where ms were due, or a tiny value
            columns.exc_idx.append(row)
            columns.exc_value.append(
                true_ms // 1000 if random_() < 0.5 else _between(rng, 1, 86_400_000)
            )
        if random_() < self.cfg.late_event_rate:
            columns.lag_idx.append(row)
            columns.lag_value.append(_between(rng, 60_000, self._late_max))
        if random_() < self.cfg.retry_rate:
            columns.retry_idx.append(row)
            columns.retry_delay.append(_between(rng, 1_000, 300_000))
        campaign, recipient, send, kinds, devices, locations, details, trues, delays, machines = (
            self._dense
        )
        campaign(ctx[0])
        recipient(ctx[1])
        send(ctx[2])
        kinds(kind)
        devices(device)
        locations(location)
        details(detail)
        trues(true_ms)
        delays(delay)
        machines(0)
        return True
