"""The people every provider mails: recipients (profiles) in sections, with their attributes and
tags (docs/CONTRACTS.md 2).

One audience per world, built first from the world's seeded random stream; each provider's
generator then draws whom it mails from `Audience.recipients`. Plain slotted records, never
mutated after the build, so HTTP threads read them without locks. Sections, attribute and tag
definitions are APSIS One's notions (PROVIDERS.md 2.2); the other providers use the addresses.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.config import WorldConfig


@dataclass(frozen=True, slots=True)
class Section:
    """An APSIS data section (`/audience/sections`)."""

    discriminator: str
    name: str


@dataclass(frozen=True, slots=True)
class Attribute:
    """A profile attribute definition; `version_id` is what export mappings refer to."""

    name: str
    version_id: str
    type: str


@dataclass(frozen=True, slots=True)
class Tag:
    """A profile tag definition; the export column holds `TAG` when the tag is set."""

    name: str
    discriminator: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """A profile: `address` as APSIS stores it (mixed case possible), `key` lower-cased."""

    index: int
    address: str
    section: Section
    attributes: dict[str, str]  # attribute version_id -> formatted value ('' when unset)
    tags: frozenset[str]  # tag discriminators set on the profile

    @property
    def key(self) -> str:
        return self.address.lower()


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


@dataclass(frozen=True)
class Audience:
    """Sections, attribute and tag definitions, and recipients, with lookups by id."""

    sections: tuple[Section, ...]
    attributes: tuple[Attribute, ...]
    tags: tuple[Tag, ...]
    recipients: tuple[Recipient, ...]

    @classmethod
    def build(cls, rng: random.Random, cfg: WorldConfig) -> Audience:
        """The audience of a config; draws the recipients from `rng` (the world's stream)."""
        all_sections = sections(cfg.sections)
        return cls(all_sections, ATTRIBUTES, TAGS, recipients(rng, cfg, all_sections))

    def section(self, discriminator: str) -> Section | None:
        return next((s for s in self.sections if s.discriminator == discriminator), None)

    def attribute(self, version_id: str) -> Attribute | None:
        return next((a for a in self.attributes if a.version_id == version_id), None)

    def tag(self, discriminator: str) -> Tag | None:
        return next((t for t in self.tags if t.discriminator == discriminator), None)


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
