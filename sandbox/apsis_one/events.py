"""APSIS One email events of the synthetic world, quirks included (PROVIDERS.md 2.3).

Per campaign recipient: SENT, then DELIVERED or BOUNCED; delivered recipients may get an
auto-reply (informational 5xxx bounce), open 1–5 times over up to ~10 days, click, unsubscribe or
report abuse. Every logical event gets a unique correlation_id, a true time, an ingestion delay
(`server_time`), sometimes a late-indexing lag, a retry copy, or an `event_time` of 0 / 1970.
Events whose true time is past the end of the timeline are dropped.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from sandbox.apsis_one.model import (
    ABUSE,
    BOUNCED,
    CLICKED,
    DELIVERED,
    OPENED,
    SENT,
    UNSUBSCRIBED,
    ApsisEvent,
    Campaign,
    Send,
    bounce_class,
)
from sandbox.audience import Recipient
from sandbox.config import WorldConfig
from sandbox.timeutil import HOUR_MS, to_ms

# One code from every range of the APSIS table, named codes included; cycled in shuffled rounds
# so that even a small world shows all of them.
BOUNCE_CODES = (
    "1001", "1500", "2001", "2002", "2004", "2500", "3001", "3002",
    "3003", "3500", "4003", "4007", "4008", "4009", "4500", "9999",
)  # fmt: skip
AUTO_REPLY_CODES = ("5001", "5100", "5500")
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
UNSUBSCRIBE_TOPICS = ("com.apsis1.topics.newsletter", "com.apsis1.topics.offers")
SEND_SPREAD_MS = 20 * 60_000  # a large send goes out over ~20 minutes
_MULTIPLIER = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd, so seq -> id is a bijection mod 2**128
_MASK_128 = (1 << 128) - 1


def _between(rng: random.Random, low: int, high: int) -> int:
    """Uniform integer in [low, high]; `randint` costs 4x more and this runs ~10 times an event."""
    return low + int(rng.random() * (high - low + 1))


def generate_events(
    rng: random.Random,
    cfg: WorldConfig,
    campaigns: tuple[Campaign, ...],
    recipients: tuple[Recipient, ...],
    end_ms: int,
) -> list[ApsisEvent]:
    """Every logical APSIS event of the world, grouped by campaign and recipient."""
    factory = _EventFactory(rng, cfg, end_ms)
    for campaign in campaigns:
        for send, recipient, send_ms in _sends(rng, cfg, campaign, recipients):
            factory.recipient_events(campaign, send, recipient, send_ms)
    return factory.events


def _sends(
    rng: random.Random, cfg: WorldConfig, campaign: Campaign, recipients: tuple[Recipient, ...]
) -> Iterator[tuple[Send, Recipient, int]]:
    """Who gets which variant when: split groups at sent_at, the rest (winner) later."""
    section_audience = [r for r in recipients if r.section is campaign.section]
    share = rng.uniform(cfg.audience_share_min, 1.0)
    audience = rng.sample(section_audience, round(len(section_audience) * share))
    sent_ms = to_ms(campaign.sent_at)
    main = Send(campaign.id, campaign.name, "", campaign.subject)
    if not campaign.is_split_test:
        for recipient in audience:
            yield main, recipient, sent_ms
        return
    group = max(1, round(len(audience) * cfg.split_group_share))
    for k, split in enumerate(campaign.splits):
        for recipient in audience[k * group : (k + 1) * group]:
            yield split, recipient, sent_ms
    winner = next(s for s in campaign.splits if s.variation == campaign.winner)
    final = Send(campaign.id, campaign.name, winner.variation, winner.subject)
    final_ms = sent_ms + round(cfg.winner_delay_hours * HOUR_MS)
    for recipient in audience[len(campaign.splits) * group :]:
        yield final, recipient, final_ms


class _EventFactory:
    """Draws the recipient journeys and the per-event delivery quirks."""

    def __init__(self, rng: random.Random, cfg: WorldConfig, end_ms: int) -> None:
        self.rng, self.cfg, self.end_ms = rng, cfg, end_ms
        self.events: list[ApsisEvent] = []
        self._salt = rng.getrandbits(128)
        self._bounce_codes: list[str] = []
        self._twin_clicks = 0  # clicks on links with a footer twin (every second one goes there)

    def recipient_events(
        self, campaign: Campaign, send: Send, recipient: Recipient, send_ms: int
    ) -> None:
        rng, cfg = self.rng, self.cfg
        ctx = (campaign, send, recipient)

        def emit(kind: str, at_ms: int, **cells: Any) -> bool:
            return self._emit(ctx, kind, at_ms, **cells)

        sent = send_ms + _between(rng, 0, SEND_SPREAD_MS)
        emit(SENT, sent)
        if rng.random() >= cfg.delivery_rate:
            code = self._next_bounce_code()
            bounced = sent + _between(rng, 2_000, 600_000)
            emit(BOUNCED, bounced, bounce_code=code)
            if bounce_class(code) == "soft" and rng.random() < cfg.soft_bounce_repeat_rate:
                emit(BOUNCED, bounced + _between(rng, HOUR_MS, 24 * HOUR_MS), bounce_code=code)
            return
        delivered = sent + _between(rng, 1_000, 90_000)
        if not emit(DELIVERED, delivered):
            return
        if rng.random() < cfg.auto_reply_rate:
            code = rng.choice(AUTO_REPLY_CODES)
            emit(BOUNCED, delivered + _between(rng, 300_000, 2 * HOUR_MS), bounce_code=code)
        opens: list[int] = []
        if rng.random() < cfg.open_rate:
            first_delay = min(rng.expovariate(1 / 8), 200.0) * HOUR_MS
            opens.append(delivered + round(first_delay))
            for _ in range(_between(rng, 1, 5) - 1):
                opens.append(opens[0] + _between(rng, 60_000, round(240 * HOUR_MS - first_delay)))
            opens.sort()
            for at in opens:
                emit(OPENED, at, **self._client(recipient))
            if rng.random() < cfg.click_rate:
                for _ in range(_between(rng, 1, 3)):
                    at = rng.choice(opens) + _between(rng, 5_000, 1_200_000)
                    emit(CLICKED, at, **self._click(campaign, recipient))
        elif rng.random() < cfg.click_without_open_rate:
            at = delivered + round(min(rng.expovariate(1 / 6), 200.0) * HOUR_MS)
            emit(CLICKED, at, **self._click(campaign, recipient))
        after = opens[-1] if opens else delivered
        if rng.random() < cfg.unsubscribe_rate:
            topic = rng.choice(UNSUBSCRIBE_TOPICS)
            emit(UNSUBSCRIBED, after + _between(rng, 60_000, 48 * HOUR_MS), unsubscribe_topic=topic)
        if rng.random() < cfg.abuse_rate:
            section = campaign.section.discriminator
            emit(ABUSE, delivered + _between(rng, 600_000, 72 * HOUR_MS), abuse_section=section)

    def _click(self, campaign: Campaign, recipient: Recipient) -> dict[str, Any]:
        """link, device and location cells of a click; a link with a footer twin is clicked in
        the footer every second time (a counter, not the random stream, decides)."""
        link = self.rng.choice(campaign.links)
        twin = campaign.footer_twin(link)
        if twin is not None:
            self._twin_clicks += 1
            link = twin if self._twin_clicks % 2 == 0 else link
        return {"link": link, **self._client(recipient)}

    def _client(self, recipient: Recipient) -> dict[str, str]:
        """device and location cells of an open or click (suffixes and new values included)."""
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
        return {"device": device, "location": country}

    def _next_bounce_code(self) -> str:
        if not self._bounce_codes:
            self._bounce_codes = list(BOUNCE_CODES)
            self.rng.shuffle(self._bounce_codes)
        return self._bounce_codes.pop()

    def _emit(
        self, ctx: tuple[Campaign, Send, Recipient], kind: str, true_ms: int, **cells: Any
    ) -> bool:
        """Record one logical event with its delivery quirks; False when past the timeline."""
        if true_ms >= self.end_ms:
            return False
        rng, cfg = self.rng, self.cfg
        seq = len(self.events)
        server_ms = true_ms + _between(rng, 0, cfg.max_ingest_delay_seconds * 1000)
        roll = rng.random()
        if roll < cfg.zero_event_time_rate:
            event_ms = 0  # the source did not report a time
        elif roll < cfg.zero_event_time_rate + cfg.epoch_1970_rate:
            # 1970: the source sent seconds where ms were due, or a tiny value
            event_ms = true_ms // 1000 if rng.random() < 0.5 else _between(rng, 1, 86_400_000)
        else:
            event_ms = true_ms
        lag = 0
        if rng.random() < cfg.late_event_rate:
            lag = _between(rng, 60_000, round(cfg.max_late_hours * HOUR_MS))
        retry = None
        if rng.random() < cfg.retry_rate:
            retry = server_ms + _between(rng, 1_000, 300_000)
        correlation = (seq * _MULTIPLIER + self._salt) & _MASK_128
        # positional: keyword construction costs 3x more, and this runs once per event
        self.events.append(
            ApsisEvent(
                seq,
                correlation,
                *ctx,
                kind,
                true_ms,
                server_ms,
                event_ms,
                server_ms + lag,
                retry,
                **cells,
            )
        )
        return True
