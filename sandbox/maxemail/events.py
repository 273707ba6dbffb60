"""Maxemail messages and events of the synthetic world (PROVIDERS.md section 1, CONTRACTS.md 5).

The same recipients as the APSIS world receive Maxemail messages of four types: bulk email
campaigns, triggered and transactional emails (sent one by one across the whole timeline) and SMS
(to a phone number derived from the recipient). Per recipient and message: a send, then either a
bounce or opens (several per opener; none for SMS), clicks on the message's URLs (the same URL
repeatedly, so click counts > 1 occur), and sometimes an unsubscribe (global, local or feedback).

Events have whole-second UTC times (`at_s`) and an `available_ms` like APSIS events: a small
ingestion delay, sometimes hours of late indexing. An event is visible, i.e. exported, counted by
`find` and by the truth, only once `available_ms < world clock`.

Everything is drawn from its own `random.Random(f"{seed}:maxemail")`, never from the APSIS
generator, so adding or changing Maxemail data leaves the APSIS world byte-identical.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime

from sandbox.audience import Recipient
from sandbox.config import WorldConfig
from sandbox.machines import machine_rng, machine_traits
from sandbox.maxemail.machines import machine_events
from sandbox.maxemail.model import (
    BOUNCE,
    BOUNCES,
    CAMPAIGN,
    CLICK,
    KIND_CODE,
    MESSAGE_TYPES,
    OPEN,
    SENT,
    SMS,
    TRANSACTIONAL,
    TRIGGERED,
    UNSUBSCRIBE,
    EventColumns,
    MaxemailMessage,
    MaxemailWorld,
)
from sandbox.plugin import Ground
from sandbox.timeutil import HOUR_MS
from sandbox.wording import SUBJECTS, THEMES

# Unsubscribe types, dealt in shuffled rounds (codes into UNSUBSCRIBE_KINDS: global, local,
# global, local, feedback).
UNSUBSCRIBE_DEAL = (0, 1, 0, 1, 2)
# The first URL has a comma, the second a comma and spaces (CSV quoting), the third is plain.
URL_TEMPLATES = (
    "https://shop.example.com/{slug}?utm_source=mxm&utm_content=hero,banner",
    "https://shop.example.com/{slug}/sale, last days",
    "https://www.example.com/{slug}/read-more",
)
TRIGGERED_NAMES = ("Welcome series", "Birthday greeting", "Abandoned basket", "Win-back")
TRANSACTIONAL_NAMES = ("Order confirmation", "Password reset", "Shipping update")
SMS_NAMES = ("Flash sale SMS", "Delivery update SMS", "Appointment reminder SMS")
SENDER = ("news@shop.example.com", "Example Shop")
TRANSACTIONAL_SENDER = ("orders@shop.example.com", "Example Shop Orders")
SEND_SPREAD_S = 600  # a bulk send goes out over up to 10 minutes
TRIGGER_SHARE = {TRIGGERED: 0.35, TRANSACTIONAL: 0.45, SMS: 0.3}  # of recipients, per message
SMS_AUDIENCE_SHARE = 0.6  # recipients with a phone number


# -- generation ----------------------------------------------------------------------------------


_SENT, _OPEN, _CLICK = KIND_CODE[SENT], KIND_CODE[OPEN], KIND_CODE[CLICK]
_BOUNCE, _UNSUBSCRIBE = KIND_CODE[BOUNCE], KIND_CODE[UNSUBSCRIBE]


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


@dataclass
class _Plan:
    message_type: str
    index: int
    bulk: bool
    start_s: int


def generate_part(ground: Ground) -> MaxemailWorld:
    """Maxemail's part of the world (sandbox.plugin)."""
    return generate(ground.config, ground.audience.recipients, ground.start, ground.end)


def generate(
    cfg: WorldConfig, recipients: tuple[Recipient, ...], start: datetime, end: datetime
) -> MaxemailWorld:
    """Every Maxemail message and event of the world (deterministic from the config)."""
    rng = random.Random(f"{cfg.seed}:maxemail")
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    plans = _plans(rng, cfg, start_s, end_s)
    messages = _messages(rng, plans, start_s)
    journeys = _Journeys(rng, cfg, end_s, len(recipients))
    everyone = [r.index for r in recipients]
    with_phone = [r.index for r in recipients if _has_phone(r)]
    for position, message in enumerate(messages):
        # draws depend on the audience's length only, so indices stand in for the recipients
        audience = with_phone if message.message_type == SMS else everyone
        journey = journeys.journey
        if message.bulk:
            share = rng.uniform(0.5, 0.9) if message.message_type == CAMPAIGN else 0.8
            for recipient in rng.sample(audience, round(len(audience) * share)):
                sent = message.start_s + _between(rng, 0, SEND_SPREAD_S)
                journey(message, position, recipient, sent)
        else:
            share = TRIGGER_SHARE[message.message_type]
            span = max(end_s - message.start_s, 1)
            for recipient in audience:
                if rng.random() < share:
                    journey(message, position, recipient, message.start_s + _between(rng, 0, span))
    return MaxemailWorld(tuple(messages), journeys.columns(), recipients)


def _has_phone(recipient: Recipient) -> bool:
    # From the index, not the generator: the same recipients have phones in every world size.
    return (recipient.index * 7919) % 100 < SMS_AUDIENCE_SHARE * 100


def _plans(rng: random.Random, cfg: WorldConfig, start_s: int, end_s: int) -> list[_Plan]:
    """Message types, send modes and start times, in start order."""
    day = 86_400
    campaigns = cfg.campaigns if cfg.maxemail_campaigns is None else cfg.maxemail_campaigns
    last_bulk_s = end_s - 3 * day
    plans: list[_Plan] = []
    slot = (last_bulk_s - start_s) / max(campaigns, 1)
    for i in range(max(campaigns, 0)):
        at = start_s + int(i * slot + rng.uniform(0.05, 0.8) * slot)
        plans.append(_Plan(CAMPAIGN, i, True, at - at % 3600 + 9 * 60))
    for message_type, count in (
        (TRIGGERED, cfg.maxemail_triggered),
        (TRANSACTIONAL, cfg.maxemail_transactional),
    ):
        for i in range(max(count, 0)):
            plans.append(_Plan(message_type, i, False, start_s + _between(rng, 0, 10 * day)))
    for i in range(max(cfg.maxemail_sms, 0)):
        bulk = i % 2 == 0  # alternately a bulk SMS campaign and a triggered SMS
        at = _between(rng, start_s + day, last_bulk_s) if bulk else start_s + _between(rng, 0, day)
        plans.append(_Plan(SMS, i, bulk, at - at % 60))
    plans.sort(key=lambda p: (p.start_s, MESSAGE_TYPES.index(p.message_type), p.index))
    return plans


def _messages(rng: random.Random, plans: list[_Plan], start_s: int) -> list[MaxemailMessage]:
    next_id = _between(rng, 400, 900)
    next_campaign = _between(rng, 300, 400)
    result: list[MaxemailMessage] = []
    for plan in plans:
        next_id += _between(rng, 1, 9)
        next_campaign += _between(rng, 1, 3)
        slug = f"m{next_id}"
        day = datetime.fromtimestamp(plan.start_s, UTC).strftime("%Y-%m-%d")
        sender = SENDER
        tags: tuple[str, ...] = ()
        if plan.message_type == CAMPAIGN:
            theme = THEMES[plan.index % len(THEMES)]
            name, subject = f"{theme} {day}", rng.choice(SUBJECTS)
            tags = ("seasonal",) if plan.index % 2 == 0 else ("newsletter", "sale")
        elif plan.message_type == TRIGGERED:
            name = _numbered(TRIGGERED_NAMES, plan.index)
            subject, tags = f"{name}, from Example Shop", ("lifecycle",)
        elif plan.message_type == TRANSACTIONAL:
            name, sender = _numbered(TRANSACTIONAL_NAMES, plan.index), TRANSACTIONAL_SENDER
            subject = f"Your {name.lower()}"
        else:
            name = _numbered(SMS_NAMES, plan.index)
            subject, tags = "", ("sms",)
        url_count = 3 if not result else _between(rng, 2, 3)
        urls = tuple(u.format(slug=slug) for u in URL_TEMPLATES[:url_count])
        created = max(start_s, plan.start_s - _between(rng, 3600, 3 * 86_400))
        result.append(
            MaxemailMessage(
                email_id=next_id,
                message_type=plan.message_type,
                campaign_id=str(next_campaign),
                name=name,
                subject=subject,
                from_address=sender[0],
                from_alias=sender[1],
                bulk=plan.bulk,
                start_s=plan.start_s,
                created_s=created,
                urls=urls,
                tags=tags,
            )
        )
    return result


def _numbered(names: tuple[str, ...], index: int) -> str:
    name = names[index % len(names)]
    return name if index < len(names) else f"{name} {index // len(names) + 1}"


class _Journeys:
    """Draws the recipient journeys and the availability of each event into columns (the order
    and number of draws are the generator's contract: the same config gives the same world)."""

    def __init__(self, rng: random.Random, cfg: WorldConfig, end_s: int, people: int = 0) -> None:
        self.rng, self.cfg, self.end_s = rng, cfg, end_s
        self.kind, self.message, self.recipient = array("b"), array("i"), array("i")
        self.machine = array("b")
        self._machine_rng = machine_rng(cfg, "maxemail")
        self._traits = machine_traits(cfg, people)
        self._machines = self._traits.any
        self.at_s, self.available_ms, self.detail = array("q"), array("q"), array("b")
        self._bounces: list[int] = []
        self._unsubscribes: list[int] = []
        self._delay_span = cfg.max_ingest_delay_seconds * 1000 + 1
        self._late_span = round(cfg.max_late_hours * HOUR_MS) - 60_000 + 1

    def columns(self) -> EventColumns:
        return EventColumns.of(
            kind=self.kind,
            message=self.message,
            recipient=self.recipient,
            at_s=self.at_s,
            available_ms=self.available_ms,
            detail=self.detail,
            machine=self.machine,
        )

    def _emit(
        self,
        kind: int,
        message: int,
        recipient: int,
        at: int,
        detail: int = 0,
        machine: int = 0,
        rng: random.Random | None = None,
    ) -> bool:
        """One event with its availability, drawn from `rng` (the main stream by default)."""
        if at >= self.end_s:
            return False
        random = (self.rng if rng is None else rng).random
        available = at * 1000 + int(random() * self._delay_span)
        if random() < self.cfg.late_event_rate:
            available += 60_000 + int(random() * self._late_span)
        self.kind.append(kind)
        self.message.append(message)
        self.recipient.append(recipient)
        self.at_s.append(at)
        self.available_ms.append(available)
        self.detail.append(detail)
        self.machine.append(machine)
        return True

    def journey(self, message: MaxemailMessage, position: int, recipient: int, sent: int) -> None:
        rng, cfg, emit = self.rng, self.cfg, self._emit
        random = rng.random
        sms = message.message_type == SMS
        if not emit(_SENT, position, recipient, sent):
            return
        if random() >= cfg.delivery_rate:
            bounce = self._deal_bounce()
            emit(_BOUNCE, position, recipient, sent + _between(rng, 2, 600), bounce)
            return
        opens: list[int] = []
        clicks: list[int] = []
        if not sms and random() < cfg.open_rate:
            first = sent + round(min(rng.expovariate(1 / 8), 200.0) * 3600)
            opens.append(first)
            for _ in range(_between(rng, 1, 5) - 1):
                opens.append(first + _between(rng, 60, 240 * 3600 - (first - sent)))
            opens.sort()
            for at in opens:
                emit(_OPEN, position, recipient, at)
            if random() < cfg.click_rate:
                clicks = [
                    rng.choice(opens) + _between(rng, 5, 1200) for _ in range(rng.randint(1, 4))
                ]
        elif random() < (cfg.open_rate * cfg.click_rate if sms else cfg.click_without_open_rate):
            first = sent + round(min(rng.expovariate(1 / 6), 200.0) * 3600)
            clicks = [first] + [
                first + _between(rng, 30, 48 * 3600) for _ in range(rng.randint(0, 2))
            ]
        urls = len(message.urls)
        for at in sorted(clicks):
            # rng.choice(urls) draws the URL's index: the same draw as choosing from the tuple
            emit(_CLICK, position, recipient, at, rng.choice(range(urls)))
        if random() < cfg.unsubscribe_rate + cfg.abuse_rate:
            kind = 0 if sms else self._deal_unsubscribe()  # 0: global
            after = max([sent, *opens, *clicks])
            emit(_UNSUBSCRIBE, position, recipient, after + _between(rng, 60, 48 * 3600), kind)
        if self._machines and not sms:
            machine_events(self, message, position, recipient, sent)

    def _deal_bounce(self) -> int:
        if not self._bounces:
            self._bounces = list(range(len(BOUNCES)))
            self.rng.shuffle(self._bounces)
        return self._bounces.pop()

    def _deal_unsubscribe(self) -> int:
        if not self._unsubscribes:
            self._unsubscribes = list(UNSUBSCRIBE_DEAL)
            self.rng.shuffle(self._unsubscribes)
        return self._unsubscribes.pop()
