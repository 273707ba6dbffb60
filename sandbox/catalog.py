"""Builders for the world's static things: sections, attribute/tag definitions, recipients and
campaigns (APSIS email activities, a third of them split tests). Called by `sandbox.world.World`
in a fixed order on one seeded `random.Random`, so the result depends on the config only.
"""

from __future__ import annotations

import random
import string
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sandbox.entities import Attribute, Campaign, Link, Recipient, Section, Send, Tag

if TYPE_CHECKING:
    from sandbox.world import WorldConfig

# Attribute version ids are account-wide in the sandbox: every section lists the same
# definitions, so one mapping gives one column whatever section an event comes from.
GENDER = Attribute(name="gender", version_id="491874", type="string")
BIRTHDAY = Attribute(name="birthday", version_id="491875", type="date")
ATTRIBUTES = (GENDER, BIRTHDAY)
TAGS = (Tag(name="vip", discriminator="vip"), Tag(name="newsletter", discriminator="newsletter"))
TAG_RATES = {"vip": 0.10, "newsletter": 0.50}

FIRST_NAMES = (
    "anna", "erik", "maria", "lars", "karin", "johan", "emma", "oskar", "sara", "nils",
    "olivia", "liam", "ingrid", "mats", "freja", "noah", "elin", "axel", "maja", "hugo",
)  # fmt: skip
LAST_NAMES = (
    "andersson", "johansson", "karlsson", "nilsson", "eriksson", "larsson", "olsen", "hansen",
    "virtanen", "smith", "jones", "muller", "dubois", "berg", "lind", "holm",
)  # fmt: skip
DOMAINS = ("example.com", "example.org", "mail.example.net", "example.se", "example.co.uk")

THEMES = (
    "Spring sale", "Weekly news", "Product launch", "Customer survey", "Summer offers",
    "Loyalty update", "Webinar invite", "Back in stock", "Member news", "Season finale",
)  # fmt: skip
# Commas, quotes and non-ASCII on purpose: the export must quote and encode them (RFC 4180, UTF-8).
SUBJECTS = (
    "Spring is here, and so are our deals",
    'Our "best ever" weekly news',
    "Nyheter för våren – 20 % rabatt",
    "Tell us what you think",
    "New arrivals you'll love",
    "Your member update",
)
SPLIT_SUBJECTS = ("{s}", "{s} – today only", "🎉 {s}")
SENDERS = ("Acme Store", "Acme Nordic", "Acme Outlet")
# (URL, title): the first has a comma, the second a double quote (CSV quoting tests).
LINK_TEMPLATES = (
    ("https://shop.example.com/{slug}?utm_source=apsis&utm_content=hero,banner", "Shop now, today"),
    ('https://www.example.com/landing/{slug}?ref="newsletter"', 'Read the "inside" story'),
    ("https://blog.example.com/{slug}/read-more", "Read more"),
)
FOOTER_TITLE = "Shop now (footer)"  # the first campaign's first URL again, another link id


def sections(count: int) -> tuple[Section, ...]:
    """`com.apsis1.sections.sandbox-a`, `…-b`, …"""
    result = []
    for i in range(count):
        suffix = string.ascii_lowercase[i] if i < 26 else str(i)
        result.append(Section(f"com.apsis1.sections.sandbox-{suffix}", f"Sandbox {suffix.upper()}"))
    return tuple(result)


def recipients(
    rng: random.Random, cfg: WorldConfig, all_sections: tuple[Section, ...]
) -> tuple[Recipient, ...]:
    """Profiles with unique lower-cased addresses (some stored mixed case), attributes, tags."""
    result = []
    for i in range(cfg.recipients):
        first, last, domain = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(DOMAINS)
        address = f"{first}.{last}{i}@{domain}"
        if rng.random() < cfg.mixed_case_rate:
            address = f"{first.title()}.{last.title()}{i}@{domain.title()}"
        roll = rng.random()
        gender = "female" if roll < 0.45 else "male" if roll < 0.85 else ""
        birthday = ""
        if rng.random() < 0.8:
            birthday = (date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))).isoformat()
        tags = frozenset(t for t, rate in TAG_RATES.items() if rng.random() < rate)
        result.append(
            Recipient(
                index=i,
                address=address,
                section=all_sections[i % len(all_sections)]
                if i < len(all_sections)
                else rng.choice(all_sections),
                attributes={GENDER.version_id: gender, BIRTHDAY.version_id: birthday},
                tags=tags,
            )
        )
    return tuple(result)


def campaigns(
    rng: random.Random, cfg: WorldConfig, all_sections: tuple[Section, ...]
) -> tuple[Campaign, ...]:
    """Email activities sent over [start, start + days - 3 d], in sent order; about a third are
    split tests with 2–3 variants (`Split A`, …) and a winning partition sent later."""
    count = cfg.campaigns
    split_indexes = set(rng.sample(range(count), round(count * cfg.split_test_share)))
    next_id = rng.randint(100_000, 899_999)
    slot_days = (cfg.days - 3) / max(count, 1)
    result = []
    for i in range(count):
        offset = timedelta(days=i * slot_days + rng.uniform(0, slot_days * 0.8))
        sent_at = (cfg.start + offset).replace(minute=0, second=0, microsecond=0)
        next_id += rng.randint(1, 40)
        campaign_id = str(next_id)
        theme = THEMES[i % len(THEMES)]
        subject = rng.choice(SUBJECTS)
        section = all_sections[i % len(all_sections)]
        link_count = 3 if i == 0 else rng.randint(1, 3)
        links = []
        for url, title in LINK_TEMPLATES[:link_count]:
            next_id += 1
            links.append(Link(str(next_id), url.format(slug=f"c{campaign_id}"), title))
        splits: list[Send] = []
        winner = ""
        if i in split_indexes:
            for letter, pattern in zip("ABC", SPLIT_SUBJECTS[: rng.randint(2, 3)], strict=False):
                next_id += 1
                splits.append(
                    Send(str(next_id), f"Split {letter}", letter, pattern.format(s=subject))
                )
            winner = rng.choice(splits).variation
        result.append(
            Campaign(
                id=campaign_id,
                section=section,
                name=f"{theme} {sent_at:%Y-%m-%d}",
                subject=subject,
                sender=SENDERS[all_sections.index(section) % len(SENDERS)],
                sent_at=sent_at,
                links=tuple(links),
                splits=tuple(splits),
                winner=winner,
            )
        )
    if result:
        # One URL under two link ids (CONTRACTS.md 8): the first campaign's first link again in
        # its footer. Its id comes after every other id, so nothing else in the world moves.
        first = result[0]
        footer = Link(str(next_id + 1), first.links[0].url, FOOTER_TITLE)
        result[0] = replace(first, footer_links=(footer,))
    return tuple(result)
