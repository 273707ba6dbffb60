"""Netcore messages of the synthetic world (PROVIDERS.md section 3, docs/CONTRACTS.md 6).

The same recipients as the APSIS world receive Netcore campaigns `nc-1`, `nc-2`, …: most are sent
within the 80 days before the initial world clock (so the 90-day events API reaches all of them),
the last of those about 20 hours before it, and a few after it (advancing the clock brings new
messages, and later opens, clicks, unsubscribes and soft bounces change the status of old ones).

Netcore reports one row per message (`trid`) in its **latest status**, so a message here is its
whole planned life: requested, then either dropped (address on the suppression list, after an
earlier hard bounce, unsubscribe or spam report), invalid (malformed address), or sent and then
hard-bounced, soft-bounced (after retries) or delivered; a delivered message may be opened (several
times), clicked (links of the campaign) and end in an unsubscribe or a spam report. Every
`netcore_plain_bounce_every`-th hard bounce and soft bounce is reported in the plain status
`bounce` instead, with an SMTP response in `remarks` whose code gives its class (CONTRACTS.md 6.1):
the hard ones with a permanent recipient code (`550 5.1.1`), the soft ones with a transient code,
a 5.7.1 policy block or no code at all. The choice is a counter, not a draw, so the rest of the
world is the same with or without plain bounces.
`state_at(message, now_ms)` reads that life at a world clock: every part counts once its time is
before the clock (no indexing lag). All of a message's changes happen within `ACTIVITY_HOURS` of
its request, which is why the loader's default lookback of 3 days sees every change.

Times are whole seconds, UTC. Everything is drawn from its own `random.Random(f"{seed}:netcore")`,
so the APSIS and Maxemail worlds stay byte-identical whatever Netcore generates.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.audience import Recipient
from sandbox.config import WorldConfig
from sandbox.netcore.model import (
    BOUNCE,
    DELIVERED,
    DELIVERED_REMARK,
    DROPPED,
    DROPPED_REMARK,
    HARD_REMARKS,
    HARDBOUNCE,
    INVALID,
    INVALID_REMARK,
    PLAIN_HARD_REMARKS,
    PLAIN_SOFT_REMARKS,
    SOFT_REMARKS,
    SOFTBOUNCE,
    SPAM,
    UNSUBSCRIBE,
    NetcoreCampaign,
    NetcoreMessage,
    NetcoreWorld,
)
from sandbox.plugin import Ground
from sandbox.wording import SUBJECTS, THEMES

ACTIVITY_HOURS = 72  # every change of a message happens within this long after its request
GENERATION_ZONE = "Asia/Kolkata"  # campaigns go out at a local morning hour of the account
FIRST_TRID = 14_652_378_013_752_609  # > 2**53: a float cannot hold most trids exactly
SENDER = "offers@mail.example.in"
HARD_BOUNCE_RATE = 0.02
SOFT_BOUNCE_RATE = 0.025
INVALID_RATE = 0.01
QUEUED_RATE = 0.01  # sent minutes after the request (throttling), the rest within seconds
# The second link has a comma and a space (CSV and JSON-in-CSV quoting).
LINK_TEMPLATES = (
    "https://shop.example.in/{slug}?utm_source=netcore&utm_campaign={campaign}",
    "https://shop.example.in/{slug}/deals, today only",
    "https://blog.example.in/{slug}/read-more",
)


# -- generation ----------------------------------------------------------------------------------


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _ip(rng: random.Random) -> str:
    return f"49.{_between(rng, 32, 47)}.{_between(rng, 0, 255)}.{_between(rng, 1, 254)}"


def _send_times(cfg: WorldConfig, start_s: int, end_s: int, clock_s: int) -> list[int]:
    """Campaign send times: `netcore_campaigns` over the 80 days before the clock (the last one
    about 20 hours before it), `netcore_later_campaigns` after it (the first a day after it)."""
    from zoneinfo import ZoneInfo

    hour, day = 3600, 86_400
    times: list[int] = []
    before = max(cfg.netcore_campaigns, 0)
    first = max(start_s, clock_s - 80 * day)
    last = clock_s - 20 * hour
    if before and last > first:
        slot = (last - first) / before
        times += [int(last - (before - 1 - i) * slot) for i in range(before)]
    later = max(cfg.netcore_later_campaigns, 0)
    begin, finish = clock_s + 20 * hour, end_s - 4 * day
    slot = max(finish - begin, 0) / max(later, 1)
    times += [int(begin + i * slot) for i in range(later)]
    # A local morning send (09:00–11:30 in the account timezone) on the planned day.
    zone = ZoneInfo(GENERATION_ZONE)
    result = []
    for i, at in enumerate(times):
        local = datetime.fromtimestamp(at, zone)
        send = local.replace(hour=9 + i % 3, minute=30 * (i % 2), second=0)
        result.append(int(send.timestamp()))
    return [t for t in result if start_s <= t < end_s]


def generate_part(ground: Ground) -> NetcoreWorld:
    """Netcore's part of the world (sandbox.plugin)."""
    return generate(ground.config, ground.audience.recipients, ground.start, ground.end)


def generate(
    cfg: WorldConfig, recipients: tuple[Recipient, ...], start: datetime, end: datetime
) -> NetcoreWorld:
    """Every Netcore campaign and message of the world (deterministic from the config)."""
    rng = random.Random(f"{cfg.seed}:netcore")
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    clock_s = int((start + timedelta(days=cfg.initial_days)).timestamp())
    campaigns = []
    for i, at in enumerate(_send_times(cfg, start_s, end_s, clock_s)):
        number = i + 1
        slug = f"nc{number}"
        day = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")
        links = LINK_TEMPLATES[: 3 if i == 0 else _between(rng, 2, 3)]
        campaigns.append(
            NetcoreCampaign(
                id=f"nc-{number}",
                name=f"{THEMES[(i + 3) % len(THEMES)]} {day}",
                subject=SUBJECTS[(i + 1) % len(SUBJECTS)],
                from_address=SENDER,
                start_s=at,
                size=_between(rng, 18_000, 60_000),
                links=tuple(t.format(slug=slug, campaign=f"nc-{number}") for t in links),
            )
        )
    factory = _Factory(rng, cfg, end_s)
    for campaign in campaigns:
        share = rng.uniform(0.5, 0.9)
        for recipient in rng.sample(list(recipients), round(len(recipients) * share)):
            factory.message(campaign, recipient)
    return NetcoreWorld(tuple(campaigns), factory.messages)


class _Factory:
    """Draws each message's life; remembers suppressed addresses for later campaigns."""

    def __init__(self, rng: random.Random, cfg: WorldConfig, end_s: int) -> None:
        self.rng, self.cfg, self.end_s = rng, cfg, end_s
        self.messages: list[NetcoreMessage] = []
        self.trid = FIRST_TRID + _between(rng, 0, 10**9)
        self.suppressed: dict[str, int] = {}  # lower-cased address → suppressed since
        self.bounces = {HARDBOUNCE: 0, SOFTBOUNCE: 0}  # bounces so far, by Netcore's own class

    def _bounce_report(self, kind: str, remarks: str) -> tuple[str, str]:
        """The status and remarks of the next bounce of `kind`: every n-th is a plain `bounce`
        with the next remark of its class (no draw, so the random stream stays the same)."""
        self.bounces[kind] += 1
        every, count = self.cfg.netcore_plain_bounce_every, self.bounces[kind]
        if every <= 0 or count % every:
            return kind, remarks
        plain = PLAIN_HARD_REMARKS if kind == HARDBOUNCE else PLAIN_SOFT_REMARKS
        return BOUNCE, plain[(count // every - 1) % len(plain)]

    def _suppress(self, recipient: Recipient, at_s: int) -> None:
        key = recipient.key
        self.suppressed[key] = min(at_s, self.suppressed.get(key, at_s))

    def message(self, campaign: NetcoreCampaign, recipient: Recipient) -> None:
        rng, cfg = self.rng, self.cfg
        self.trid += _between(rng, 1, 999_999)
        requested = campaign.start_s + _between(rng, 0, 600)
        if requested >= self.end_s:
            return
        bound = requested + ACTIVITY_HOURS * 3600 - 1

        def at(value: int) -> int:
            return min(value, bound)

        size = campaign.size + _between(rng, 0, 400)
        common: dict[str, Any] = dict(
            trid=self.trid,
            campaign=campaign,
            recipient=recipient,
            requested_s=requested,
            size=size,
        )
        suppressed_since = self.suppressed.get(recipient.key)
        if suppressed_since is not None and suppressed_since < requested:
            drop = requested + _between(rng, 1, 3)
            self.messages.append(
                NetcoreMessage(
                    address=recipient.address,
                    outcome=DROPPED,
                    outcome_s=drop,
                    sent_s=None,
                    remarks=DROPPED_REMARK,
                    **common,
                )
            )
            return
        if rng.random() < INVALID_RATE:
            local, _, domain = recipient.address.partition("@")
            self.messages.append(
                NetcoreMessage(
                    address=f"{local}@{domain.rsplit('.', 1)[0]}",  # the top-level domain lost
                    outcome=INVALID,
                    outcome_s=requested + _between(rng, 1, 3),
                    sent_s=None,
                    remarks=INVALID_REMARK,
                    **common,
                )
            )
            return
        queued = rng.random() < QUEUED_RATE
        sent = requested + (_between(rng, 300, 5400) if queued else _between(rng, 1, 20))
        roll = rng.random()
        if roll < HARD_BOUNCE_RATE:
            bounce = at(sent + _between(rng, 2, 600))
            self._suppress(recipient, bounce)
            status, remarks = self._bounce_report(
                HARDBOUNCE, HARD_REMARKS[_between(rng, 0, len(HARD_REMARKS) - 1)]
            )
            self.messages.append(
                NetcoreMessage(
                    address=recipient.address,
                    outcome=status,
                    outcome_s=bounce,
                    sent_s=sent,
                    remarks=remarks,
                    **common,
                )
            )
            return
        if roll < HARD_BOUNCE_RATE + SOFT_BOUNCE_RATE:
            # Retried, then given up: a soft bounce hours or days after the send.
            outcome_s = at(sent + _between(rng, 3600, 48 * 3600))
            status, remarks = self._bounce_report(
                SOFTBOUNCE, SOFT_REMARKS[_between(rng, 0, len(SOFT_REMARKS) - 1)]
            )
            self.messages.append(
                NetcoreMessage(
                    address=recipient.address,
                    outcome=status,
                    outcome_s=outcome_s,
                    sent_s=sent,
                    remarks=remarks,
                    **common,
                )
            )
            return
        delivered = sent + _between(rng, 1, 30)
        opens: list[tuple[int, str]] = []
        clicks: list[tuple[int, str, str]] = []
        if rng.random() < cfg.open_rate:
            first = delivered + round(min(rng.expovariate(1 / 8), 60.0) * 3600)
            times = [first] + [
                first + _between(rng, 60, 36 * 3600) for _ in range(_between(rng, 0, 3))
            ]
            opens = sorted((at(t), _ip(rng)) for t in times)
            if rng.random() < cfg.click_rate:
                for _ in range(_between(rng, 1, 3)):
                    base = opens[_between(rng, 0, len(opens) - 1)][0]
                    link = campaign.links[_between(rng, 0, len(campaign.links) - 1)]
                    clicks.append((at(base + _between(rng, 5, 1200)), _ip(rng), link))
        elif rng.random() < cfg.click_without_open_rate:  # images blocked: a click, no open
            link = campaign.links[0]
            clicks.append((at(delivered + _between(rng, 600, 24 * 3600)), _ip(rng), link))
        clicks.sort()
        final, final_s = "", 0
        roll = rng.random()
        if roll < cfg.unsubscribe_rate + cfg.abuse_rate:
            final = UNSUBSCRIBE if roll < cfg.unsubscribe_rate else SPAM
            last = max([delivered, *(t for t, _ in opens), *(t for t, _, _ in clicks)])
            final_s = at(last + _between(rng, 30, 12 * 3600))
            self._suppress(recipient, final_s)
        queue = f"{self.trid % 0xFFFFFFFF:08x}"
        self.messages.append(
            NetcoreMessage(
                address=recipient.address,
                outcome=DELIVERED,
                outcome_s=delivered,
                sent_s=sent,
                remarks=DELIVERED_REMARK.format(queue=queue),
                opens=tuple(o for o in opens if o[0] < self.end_s),
                clicks=tuple(c for c in clicks if c[0] < self.end_s),
                final=final if final_s < self.end_s else "",
                final_s=final_s,
                **common,
            )
        )
