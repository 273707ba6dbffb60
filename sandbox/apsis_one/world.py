"""APSIS One's part of the world: its campaigns and events over the shared audience, and the
export copies of a window (PROVIDERS.md 2.2, 2.3; docs/CONTRACTS.md 2).

`generate(ground)` continues the world's seeded stream after the audience (campaigns, then
events), as it always did, so the APSIS world of a config never changes. The events are columns
(sandbox.apsis_one.columns); the part pickles without the audience (`__getstate__`), which the
world gives back through `attach_audience`.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from sandbox.apsis_one.catalog import campaigns as build_campaigns
from sandbox.apsis_one.columns import EventColumns, EventRecords
from sandbox.apsis_one.events import generate_events
from sandbox.apsis_one.model import ApsisEvent, Campaign
from sandbox.audience import Attribute, Audience, Recipient, Section, Tag
from sandbox.plugin import Ground
from sandbox.timeutil import to_ms


class ApsisWorld:
    """Campaigns and logical events (columns, grouped by campaign and recipient, in generation
    order) of one account, over the audience's sections, attributes and tags."""

    def __init__(
        self,
        audience: Audience | None,
        campaigns: tuple[Campaign, ...],
        columns: EventColumns,
        omit_empty_splits: bool = False,  # mode no_split_tests: plain sends list no `splits` key
    ) -> None:
        self.audience = audience
        self.campaigns = campaigns
        self.columns = columns
        self.omit_empty_splits = omit_empty_splits
        self._copy_order: np.ndarray | None = None
        self._cache: dict[Any, Any] = {}
        self._lock: threading.Lock | None = None

    # -- pickling (sandbox.world.generate_parts) -----------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {
            "campaigns": self.campaigns,
            "columns": self.columns,
            "omit_empty_splits": self.omit_empty_splits,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(None, **state)  # type: ignore[misc]

    def attach_audience(self, audience: Audience) -> None:
        """The audience, after unpickling: the campaigns' sections become the audience's own."""
        sections = {s: s for s in audience.sections}
        self.campaigns = tuple(c.with_section(sections[c.section]) for c in self.campaigns)
        self.audience = audience

    # -- the audience ----------------------------------------------------------------------------

    def _audience(self) -> Audience:
        if self.audience is None:
            raise RuntimeError("the APSIS One part has no audience: call attach_audience")
        return self.audience

    @property
    def sections(self) -> tuple[Section, ...]:
        return self._audience().sections

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return self._audience().attributes

    @property
    def tags(self) -> tuple[Tag, ...]:
        return self._audience().tags

    @property
    def recipients(self) -> tuple[Recipient, ...]:
        return self._audience().recipients

    def section(self, discriminator: str) -> Section | None:
        return self._audience().section(discriminator)

    def attribute(self, version_id: str) -> Attribute | None:
        return self._audience().attribute(version_id)

    def tag(self, discriminator: str) -> Tag | None:
        return self._audience().tag(discriminator)

    @property
    def events(self) -> Sequence[ApsisEvent]:
        """The events as records, built on access (tests, small worlds)."""
        return EventRecords(self.columns, self.campaigns, self.recipients)

    def summary(self) -> dict[str, Any]:
        return {"campaigns": len(self.campaigns), "apsis_events": len(self.columns)}

    def cached(self, key: Any, build: Any) -> Any:
        """`build()` once per key (lookup tables derived from the world), shared by threads."""
        with self._guard():
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def _guard(self) -> threading.Lock:
        if self._lock is None:
            self._lock = threading.Lock()
        return self._lock

    # -- export copies ---------------------------------------------------------------------------

    def copies_between(self, start_ms: int, end_ms: int, now_ms: int) -> np.ndarray:
        """Export rows: event copies (first receipt or retry) with server_time in
        [start_ms, end_ms) that are available before `now_ms`, in generation order (grouped by
        campaign and recipient, not by time), as refs `event row * 2 + is_retry` (int64)."""
        order = self._copy_index()
        lo = bisect.bisect_left(order, start_ms, key=self._copy_server_ms)
        hi = bisect.bisect_left(order, end_ms, key=self._copy_server_ms)
        refs = order[lo:hi].astype(np.int64)
        rows, retry = refs >> 1, (refs & 1).astype(bool)
        columns = self.columns
        server = columns.server_ms(rows)
        server[retry] += columns.retry_delay_at(rows[retry])
        available = server + columns.lag_ms(rows)
        return np.sort(refs[available < now_ms])

    def _copy_server_ms(self, ref: Any) -> int:
        """server_time of one copy (`row * 2 + is_retry`)."""
        ref = int(ref)
        row = ref >> 1
        columns = self.columns
        server = int(columns.true_ms[row]) + int(columns.delay[row])
        if ref & 1:
            server += int(columns.retry_delay_at(np.array([row]))[0])
        return server

    def _copy_index(self) -> np.ndarray:
        """Every copy's ref (`row * 2 + is_retry`) sorted by server_time, built once (argsort);
        requests bisect it on the server times it refers to (4 bytes a copy, no key column)."""
        with self._guard():
            if self._copy_order is None:
                columns = self.columns
                server = columns.server_ms()
                retry_rows = columns.retry_idx.astype(np.int64)
                keys = np.concatenate([server, server[retry_rows] + columns.retry_delay])
                refs = np.concatenate([np.arange(len(server)) * 2, retry_rows * 2 + 1])
                dtype = np.int32 if len(refs) and refs.max() < 2**31 else np.int64
                self._copy_order = refs[np.argsort(keys, kind="stable")].astype(dtype)
            return self._copy_order


def generate(ground: Ground) -> ApsisWorld:
    """Campaigns, then every logical event, from the world's stream (`ground.rng`)."""
    cfg, audience = ground.config, ground.audience
    campaigns = build_campaigns(ground.rng, cfg, audience.sections)
    events = generate_events(ground.rng, cfg, campaigns, audience.recipients, to_ms(ground.end))
    return ApsisWorld(audience, campaigns, events, cfg.omit_empty_splits)
