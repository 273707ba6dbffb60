"""APSIS One's campaigns: email activities sent over the timeline, about a third of them split
tests (PROVIDERS.md 2.5). Built by sandbox.apsis_one.world from the world's seeded stream right
after the audience, so the result depends on the config only.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from sandbox.apsis_one.model import Campaign, Link, Send
from sandbox.audience import Section
from sandbox.config import WorldConfig
from sandbox.wording import SUBJECTS, THEMES

SPLIT_SUBJECTS = ("{s}", "{s} – today only", "🎉 {s}")
SENDERS = ("Acme Store", "Acme Nordic", "Acme Outlet")
# (URL, title): the first has a comma, the second a double quote (CSV quoting tests).
LINK_TEMPLATES = (
    ("https://shop.example.com/{slug}?utm_source=apsis&utm_content=hero,banner", "Shop now, today"),
    ('https://www.example.com/landing/{slug}?ref="newsletter"', 'Read the "inside" story'),
    ("https://blog.example.com/{slug}/read-more", "Read more"),
)
FOOTER_TITLE = "Shop now (footer)"  # the first campaign's first URL again, another link id


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
