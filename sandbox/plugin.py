"""What the core and a provider package promise each other (the registry is sandbox/providers.py).

The core builds a `Ground` (config, audience, timeline, the seeded stream) and hands it to each
provider's `generate`, which returns that provider's part of the world (its campaigns, messages or
events: any object the provider's simulator and truth understand). The server then mounts
`simulator(clock, part)` at `/<name>`; it answers the provider's API, its faults and its truth
(`sandbox.web.Provider`). `source_settings(base_url)` is what points the loader's source of the
same name at that simulator: the sandbox account's credentials and settings (the demo, the tests
and `python -m sandbox env` use it).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.audience import Audience
from sandbox.clock import Clock
from sandbox.config import WorldConfig
from sandbox.web import Provider


@dataclass(frozen=True)
class Ground:
    """What every provider's world grows from. `rng` is the world's seeded stream right after the
    audience was drawn from it: APSIS One's events continue it (they came first); every other
    provider draws from its own `random.Random(f"{seed}:<name>")`, so adding or changing one
    provider's data never moves another's."""

    config: WorldConfig
    audience: Audience
    start: datetime  # the timeline is [start, end)
    end: datetime
    clock_start: datetime  # the world clock's initial value (start + initial_days)
    rng: random.Random


@dataclass(frozen=True)
class ProviderPlugin:
    """One provider of the sandbox: its name (URL prefix, faults and truth key, and the loader's
    source name), its generator, its simulator and the loader settings of its sandbox account."""

    name: str
    generate: Callable[[Ground], Any]
    simulator: Callable[[Clock, Any], Provider]
    source_settings: Callable[[str], dict[str, Any]]
