"""APSIS One's part of the world: its campaigns and events over the shared audience, and the
export rows of a window (PROVIDERS.md 2.2, 2.3; docs/CONTRACTS.md 2).

`generate(ground)` continues the world's seeded stream after the audience (campaigns, then
events), as it always did, so the APSIS world of a config never changes.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.apsis_one.catalog import campaigns as build_campaigns
from sandbox.apsis_one.events import generate_events
from sandbox.apsis_one.model import ApsisEvent, Campaign
from sandbox.audience import Attribute, Audience, Section, Tag
from sandbox.plugin import Ground
from sandbox.timeutil import to_ms


@dataclass
class ApsisWorld:
    """Campaigns and logical events (grouped by campaign and recipient, in generation order) of
    one account, over the audience's sections, attributes and tags."""

    audience: Audience
    campaigns: tuple[Campaign, ...]
    events: list[ApsisEvent]
    omit_empty_splits: bool = False  # mode no_split_tests: plain sends list no `splits` key
    _copy_index_cache: tuple[list[int], list[int]] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.audience.sections

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return self.audience.attributes

    @property
    def tags(self) -> tuple[Tag, ...]:
        return self.audience.tags

    def section(self, discriminator: str) -> Section | None:
        return self.audience.section(discriminator)

    def attribute(self, version_id: str) -> Attribute | None:
        return self.audience.attribute(version_id)

    def tag(self, discriminator: str) -> Tag | None:
        return self.audience.tag(discriminator)

    def summary(self) -> dict[str, Any]:
        return {"campaigns": len(self.campaigns), "apsis_events": len(self.events)}

    def copies_between(
        self, start_ms: int, end_ms: int, now_ms: int
    ) -> list[tuple[ApsisEvent, bool]]:
        """Export rows: event copies (first receipt or retry) with server_time in
        [start_ms, end_ms) that are available before `now_ms`, in generation order (grouped by
        campaign and recipient, not by time)."""
        keys, refs = self._copy_index()
        events = self.events
        picked = []
        for i in range(bisect.bisect_left(keys, start_ms), bisect.bisect_left(keys, end_ms)):
            ref = refs[i]  # event index * 2 + is_retry
            event = events[ref >> 1]
            if keys[i] + event.available_ms - event.server_ms < now_ms:
                picked.append(ref)
        picked.sort()
        return [(events[ref >> 1], bool(ref & 1)) for ref in picked]

    def _copy_index(self) -> tuple[list[int], list[int]]:
        """Server times of every copy, sorted, with their `event index * 2 + is_retry` refs."""
        with self._lock:
            if self._copy_index_cache is None:
                keys: list[int] = []
                refs: list[int] = []
                for i, event in enumerate(self.events):
                    keys.append(event.server_ms)
                    refs.append(i * 2)
                    if event.retry_server_ms is not None:
                        keys.append(event.retry_server_ms)
                        refs.append(i * 2 + 1)
                order = sorted(range(len(keys)), key=keys.__getitem__)
                self._copy_index_cache = ([keys[i] for i in order], [refs[i] for i in order])
            return self._copy_index_cache


def generate(ground: Ground) -> ApsisWorld:
    """Campaigns, then every logical event, from the world's stream (`ground.rng`)."""
    cfg, audience = ground.config, ground.audience
    campaigns = build_campaigns(ground.rng, cfg, audience.sections)
    events = generate_events(ground.rng, cfg, campaigns, audience.recipients, to_ms(ground.end))
    return ApsisWorld(audience, campaigns, events, cfg.omit_empty_splits)
