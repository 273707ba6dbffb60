"""Benchmark Email in the sandbox (PROVIDERS.md section 4; docs/CONTRACTS.md 7): the world's
contacts, campaigns and contact events (model.py, events.py, journeys.py, stored in columns by
store.py), the simulator mounted at `/benchmark` (simulator.py with settings.py, params.py,
limits.py, contacts.py, records.py, render.py and reports.py over digest.py) and its ground truth
(truth.py with pairs.py and marts.py)."""

from __future__ import annotations

from typing import Any

from sandbox.benchmark.events import generate_part
from sandbox.benchmark.settings import KEYS
from sandbox.benchmark.simulator import BenchmarkSimulator
from sandbox.plugin import ProviderPlugin

ALL_SCOPES_KEY = next(iter(KEYS))  # `bme_sandbox_all`


def source_settings(base_url: str) -> dict[str, Any]:
    """The loader's `benchmark` settings for the sandbox account at `base_url` (the sandbox's
    root URL): the public test key with every scope, and the report snapshots' periods."""
    return {
        "base_url": f"{base_url}/benchmark",
        "api_key": ALL_SCOPES_KEY,
        "account_id": "sandbox",
        "past_days": [7, 30, 90],
        "timezone": "UTC",
    }


PLUGIN = ProviderPlugin("benchmark", generate_part, BenchmarkSimulator, source_settings)
