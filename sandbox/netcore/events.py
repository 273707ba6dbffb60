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
so the APSIS and Maxemail worlds stay byte-identical whatever Netcore generates. The messages go
into columns (sandbox.netcore.store) as they are drawn (sandbox.netcore.lives), never one object
per message.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sandbox.audience import Recipient
from sandbox.config import WorldConfig
from sandbox.netcore.lives import ACTIVITY_HOURS, LINK_TEMPLATES, Lives, between
from sandbox.netcore.model import NetcoreCampaign
from sandbox.netcore.store import NetcoreWorld
from sandbox.plugin import Ground
from sandbox.wording import SUBJECTS, THEMES

__all__ = ["ACTIVITY_HOURS", "generate", "generate_part"]

GENERATION_ZONE = "Asia/Kolkata"  # campaigns go out at a local morning hour of the account
SENDER = "offers@mail.example.in"


# -- generation ----------------------------------------------------------------------------------


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
        links = LINK_TEMPLATES[: 3 if i == 0 else between(rng, 2, 3)]
        campaigns.append(
            NetcoreCampaign(
                id=f"nc-{number}",
                name=f"{THEMES[(i + 3) % len(THEMES)]} {day}",
                subject=SUBJECTS[(i + 1) % len(SUBJECTS)],
                from_address=SENDER,
                start_s=at,
                size=between(rng, 18_000, 60_000),
                links=tuple(t.format(slug=slug, campaign=f"nc-{number}") for t in links),
            )
        )
    lives = Lives(rng, cfg, end_s, len(recipients))
    population = range(len(recipients))  # the same draws as sampling the recipients themselves
    for index, campaign in enumerate(campaigns):
        share = rng.uniform(0.5, 0.9)
        lives.campaign(index, campaign, rng.sample(population, round(len(recipients) * share)))
    return NetcoreWorld(
        campaigns,
        columns=lives.columns(),
        recipients=recipients,
        machine_prefixes=(cfg.proxy_ip_prefix, cfg.scanner_ip_prefix),
    )
