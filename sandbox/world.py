"""The deterministic synthetic world every simulator serves, and its clock.

`World(WorldConfig(...))` builds sections, recipients, campaigns and their APSIS events from one
`random.Random(seed)`; the same config always gives the same world, hence byte-identical exports.
Only the world clock moves afterwards: it starts at `start + initial_days` and tests push it
forward (`advance`, `set_now`, or `POST /_sandbox/clock`) to make later events visible.
See docs/CONTRACTS.md section 2.
"""

from __future__ import annotations

import bisect
import gc
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import benchmark_events, catalog, maxemail_events, netcore_events
from sandbox.apsis_events import generate_events
from sandbox.entities import ApsisEvent, Attribute, Campaign, Recipient, Section, Tag
from sandbox.timeutil import from_ms, to_ms
from sandbox.truth import apsis_one_truth


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while a million long-lived events are created (a third faster); the
    events hold no cycles, so nothing is left for it to collect afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class WorldConfig:
    """Sizes, seed and behaviour rates of the synthetic world (all rates are probabilities)."""

    seed: int = 42
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    days: int = 150  # the timeline; events after start + days are dropped
    initial_days: float = 120  # the world clock starts at start + initial_days
    sections: int = 2
    campaigns: int = 12
    recipients: int = 500
    split_test_share: float = 1 / 3  # share of campaigns that are split tests
    split_group_share: float = 0.15  # audience share of each split-test variant
    winner_delay_hours: float = 4.0  # the winning partition is sent this much later
    audience_share_min: float = 0.7  # a campaign reaches 70–100 % of its section
    delivery_rate: float = 0.92  # the rest bounce
    soft_bounce_repeat_rate: float = 0.3  # soft bounces recorded a second time
    auto_reply_rate: float = 0.03  # delivered, then an informational 5xxx bounce
    open_rate: float = 0.35
    click_rate: float = 0.40  # of openers
    click_without_open_rate: float = 0.02  # of non-openers (images blocked)
    unsubscribe_rate: float = 0.02
    abuse_rate: float = 0.005
    retry_rate: float = 0.03  # events repeated with the same correlation_id
    zero_event_time_rate: float = 0.02
    epoch_1970_rate: float = 0.01
    late_event_rate: float = 0.05  # indexed late: available hours after server_time
    max_late_hours: float = 6.0
    max_ingest_delay_seconds: int = 120
    mixed_case_rate: float = 0.1  # addresses stored with upper-case letters
    device_suffix_rate: float = 0.2
    new_device_rate: float = 0.01  # device values outside the documented set
    location_suffix_rate: float = 0.2
    # Maxemail messages (sandbox.maxemail_events; own generator, the APSIS world is unaffected)
    maxemail_campaigns: int | None = None  # None: as many as `campaigns`
    maxemail_triggered: int = 3
    maxemail_transactional: int = 2
    maxemail_sms: int = 2
    # Netcore campaigns (sandbox.netcore_events; own generator, the other worlds are unaffected)
    netcore_campaigns: int = 8  # sent in the 80 days before the initial clock
    netcore_later_campaigns: int = 2  # sent after it
    # every n-th hard and soft bounce in the plain status `bounce`, classed by its remarks (0: none)
    netcore_plain_bounce_every: int = 3
    # Benchmark Email campaigns (sandbox.benchmark_events; own generator): None = `campaigns`
    benchmark_campaigns: int | None = None
    # Account shapes without optional data (ACCOUNT_MODES; docs/CONTRACTS.md 12). The defaults
    # leave the world unchanged.
    omit_empty_splits: bool = False  # plain sends' activities carry no `splits` key at all
    benchmark_contacts_listed: bool = True  # False: the contact list is empty (contacts deleted)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("WorldConfig.start must be timezone-aware (UTC)")
        if self.days < 4 or self.sections < 1 or self.campaigns < 0 or self.recipients < 0:
            raise ValueError("WorldConfig needs days >= 4, sections >= 1 and non-negative sizes")


# Named account shapes for `WorldConfig` (`python -m sandbox --mode ...`, tests): accounts that
# lack data dlt only creates tables and columns for when it exists (docs/CONTRACTS.md 12). The
# Benchmark key without `reports:read` is not a world shape: it is the key `bme_sandbox_noreports`
# with the loader's `reports = false`.
ACCOUNT_MODES: dict[str, dict[str, Any]] = {
    # APSIS One: no campaign was ever a split test (no `activities__splits` table); plain sends
    # carry no `splits` key at all
    "no_split_tests": {"split_test_share": 0.0, "omit_empty_splits": True},
    # every provider: nobody clicked yet (no click events, no `events__clicks`, Maxemail
    # `clicked`/`responded` files without rows)
    "no_clicks": {"click_rate": 0.0, "click_without_open_rate": 0.0},
    # Benchmark: `POST /api/contact/search` lists no contact (no `contacts` table), the dashboard
    # counts none; the campaigns' contact events stay
    "no_contacts": {"benchmark_contacts_listed": False},
}


def world_config(*modes: str, **settings: Any) -> WorldConfig:
    """A `WorldConfig` with the named ACCOUNT_MODES switched on, then `settings`."""
    merged: dict[str, Any] = {}
    for mode in modes:
        if mode not in ACCOUNT_MODES:
            raise ValueError(f"unknown account mode {mode!r}; known: {', '.join(ACCOUNT_MODES)}")
        merged.update(ACCOUNT_MODES[mode])
    return WorldConfig(**{**merged, **settings})


class World:
    """Sections, recipients, campaigns and APSIS events of one config, plus the world clock."""

    def __init__(self, config: WorldConfig | None = None) -> None:
        self.config = config or WorldConfig()
        cfg = self.config
        rng = random.Random(cfg.seed)
        self.start: datetime = cfg.start.astimezone(UTC)
        self.end: datetime = self.start + timedelta(days=cfg.days)
        self.sections: tuple[Section, ...] = catalog.sections(cfg.sections)
        self.attributes: tuple[Attribute, ...] = catalog.ATTRIBUTES
        self.tags: tuple[Tag, ...] = catalog.TAGS
        self.recipients: tuple[Recipient, ...] = catalog.recipients(rng, cfg, self.sections)
        self.campaigns: tuple[Campaign, ...] = catalog.campaigns(rng, cfg, self.sections)
        with _gc_paused():
            self.events: list[ApsisEvent] = generate_events(
                rng, cfg, self.campaigns, self.recipients, to_ms(self.end)
            )
            self.maxemail = maxemail_events.generate(cfg, self.recipients, self.start, self.end)
            self.netcore = netcore_events.generate(cfg, self.recipients, self.start, self.end)
            self.benchmark = benchmark_events.generate(
                cfg, self.recipients, self.start, self.start + timedelta(days=cfg.initial_days)
            )
        self._now_ms = to_ms(self.start + timedelta(days=cfg.initial_days))
        self._lock = threading.Lock()
        self._copy_index_cache: tuple[list[int], list[int]] | None = None

    # -- clock --------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The world clock (aware UTC)."""
        return from_ms(self.now_ms)

    @property
    def now_ms(self) -> int:
        with self._lock:
            return self._now_ms

    def advance(self, hours: float) -> datetime:
        """Move the clock forward by `hours` (>= 0); returns the new time."""
        if hours < 0:
            raise ValueError("the world clock only moves forward")
        with self._lock:
            self._now_ms += round(hours * 3_600_000)
        return self.now

    def set_now(self, when: datetime) -> datetime:
        """Set the clock to `when` (aware, not before the current clock); returns it."""
        if when.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware datetime")
        target = to_ms(when)
        with self._lock:
            if target < self._now_ms:
                raise ValueError(
                    f"the world clock only moves forward (now {from_ms(self._now_ms)})"
                )
            self._now_ms = target
        return self.now

    # -- lookups ------------------------------------------------------------------------------

    def section(self, discriminator: str) -> Section | None:
        return next((s for s in self.sections if s.discriminator == discriminator), None)

    def attribute(self, version_id: str) -> Attribute | None:
        return next((a for a in self.attributes if a.version_id == version_id), None)

    def tag(self, discriminator: str) -> Tag | None:
        return next((t for t in self.tags if t.discriminator == discriminator), None)

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

    # -- ground truth -------------------------------------------------------------------------

    def truth_apsis_one(self, now: datetime | None = None) -> dict[str, Any]:
        """Ground truth of the APSIS One email campaign report at `now` (default: the clock),
        in the shape of docs/CONTRACTS.md section 4."""
        now_ms = self.now_ms if now is None else to_ms(now)
        return apsis_one_truth(self.events, now_ms)

    def summary(self) -> dict[str, Any]:
        """Sizes and clock, for logs."""
        return {
            "seed": self.config.seed,
            "sections": len(self.sections),
            "recipients": len(self.recipients),
            "campaigns": len(self.campaigns),
            "apsis_events": len(self.events),
            "maxemail_messages": self.maxemail.counts(),
            "maxemail_events": len(self.maxemail.events),
            "netcore_messages": len(self.netcore.messages),
            "benchmark_campaigns": len(self.benchmark.campaigns),
            "benchmark_events": len(self.benchmark.events),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "now": self.now.isoformat(),
        }
