"""The deterministic synthetic world every simulator serves, and its clock.

`World(WorldConfig(...))` draws the audience from one `random.Random(seed)`, then lets every
registered provider (sandbox.providers) generate its part from it (`world.parts[<name>]`); the
same config always gives the same world, hence byte-identical exports. Only the world clock moves
afterwards: it starts at `start + initial_days` and tests push it forward (`advance`, `set_now`, or
`POST /_sandbox/clock`) to make later events visible. See docs/CONTRACTS.md section 2.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.audience import Audience, Recipient, Section
from sandbox.clock import Clock
from sandbox.config import WorldConfig
from sandbox.plugin import Ground, ProviderPlugin
from sandbox.providers import PROVIDERS
from sandbox.timeutil import to_ms


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


# Worlds of at least this many (recipient x campaign) draws generate their providers' parts in
# parallel processes (one per core); smaller ones in process (a fork costs more than they do).
PARALLEL_FROM = 400_000
_GROUND: Ground | None = None  # the ground a forked generator process reads


def _generate_forked(plugin: ProviderPlugin) -> tuple[str, Any]:
    assert _GROUND is not None
    with _gc_paused():
        return plugin.name, plugin.generate(_GROUND)


def generate_parts(
    ground: Ground, plugins: list[ProviderPlugin], processes: int | None = None
) -> dict[str, Any]:
    """Every provider's part of the world, by name, in registry order. Each part depends on the
    ground alone (its own seeded stream), so large worlds build the parts in forked processes at
    once (`processes`: None = one per core when the world is large); a part then travels back
    pickled, which is cheap for the columnar parts (NumPy arrays) and required of them. A part
    that refers to the audience leaves it out of its pickle (`__getstate__`) and gets the
    parent's back through `attach_audience(audience)`, so the audience is held once."""
    global _GROUND
    cfg = ground.config
    if processes is None:
        large = cfg.recipients * max(cfg.campaigns, 1) >= PARALLEL_FROM
        processes = min(len(plugins), os.cpu_count() or 1) if large else 1
    if processes <= 1 or len(plugins) <= 1:
        with _gc_paused():
            return {plugin.name: plugin.generate(ground) for plugin in plugins}
    _GROUND = ground
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = dict(pool.imap_unordered(_generate_forked, plugins))
            # Workers leave on close's sentinels. The context's exit alone would terminate them
            # with SIGTERM, which a worker never gets when the parent ignores it (the parent's
            # signal dispositions are inherited; an in-process Dagster run leaves SIGTERM mapped
            # to SIGINT's, which a background shell job ignores): the pool then waits forever.
            pool.close()
            pool.join()
    finally:
        _GROUND = None
    for part in parts.values():
        attach = getattr(part, "attach_audience", None)
        if attach is not None:
            attach(ground.audience)
    return {plugin.name: parts[plugin.name] for plugin in plugins}


class World:
    """The audience and every provider's part of one config, plus the world clock."""

    def __init__(
        self,
        config: WorldConfig | None = None,
        providers: Iterable[ProviderPlugin] | None = None,
        processes: int | None = None,
    ) -> None:
        self.config = config or WorldConfig()
        cfg = self.config
        rng = random.Random(cfg.seed)
        self.start: datetime = cfg.start.astimezone(UTC)
        self.end: datetime = self.start + timedelta(days=cfg.days)
        clock_start = self.start + timedelta(days=cfg.initial_days)
        self.audience = Audience.build(rng, cfg)
        ground = Ground(cfg, self.audience, self.start, self.end, clock_start, rng)
        plugins = list(PROVIDERS.values() if providers is None else providers)
        self.parts: dict[str, Any] = generate_parts(ground, plugins, processes)
        self.clock = Clock(to_ms(clock_start))

    # -- clock ----------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The world clock (aware UTC)."""
        return self.clock.now

    @property
    def now_ms(self) -> int:
        return self.clock.now_ms

    def advance(self, hours: float) -> datetime:
        """Move the clock forward by `hours` (>= 0); returns the new time."""
        return self.clock.advance(hours)

    def set_now(self, when: datetime) -> datetime:
        """Set the clock to `when` (aware, not before the current clock); returns it."""
        return self.clock.set_now(when)

    # -- the audience -----------------------------------------------------------------------------

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.audience.sections

    @property
    def recipients(self) -> tuple[Recipient, ...]:
        return self.audience.recipients

    def summary(self) -> dict[str, Any]:
        """Sizes and clock, for logs: the audience's, then each provider part's `summary()`."""
        sizes: dict[str, Any] = {
            "seed": self.config.seed,
            "sections": len(self.sections),
            "recipients": len(self.recipients),
        }
        for part in self.parts.values():
            sizes.update(part.summary())
        return {
            **sizes,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "now": self.now.isoformat(),
        }
