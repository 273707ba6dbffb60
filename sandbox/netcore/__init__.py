"""Netcore in the sandbox (PROVIDERS.md section 3; docs/CONTRACTS.md 6): the world's campaigns and
messages (records in model.py, stored in columns in store.py, drawn by events.py and lives.py,
convert.py), their state at a clock as arrays (states.py, localtime.py), the simulator mounted at
`/netcore` (simulator.py with settings.py, query.py, select.py, rows.py, render.py, downloads.py,
stats.py) and its ground truth (truth.py, facts.py, marts_truth.py, pairtable.py, bounces.py)."""

from __future__ import annotations

from typing import Any

from sandbox.netcore.events import generate_part
from sandbox.netcore.settings import NetcoreSettings
from sandbox.netcore.simulator import NetcoreSimulator
from sandbox.plugin import ProviderPlugin


def source_settings(base_url: str) -> dict[str, Any]:
    """The loader's `netcore` settings for the sandbox account at `base_url` (the sandbox's root
    URL): its public test key, the account's timezone, and a start inside the 90 days the events
    API keeps at the initial world clock."""
    account = NetcoreSettings()
    return {
        "base_url": f"{base_url}/netcore",
        "api_key": account.api_key,
        "account_id": "sandbox",
        "start_date": "2026-02-01T00:00:00Z",
        "timezone": account.timezone,
    }


PLUGIN = ProviderPlugin("netcore", generate_part, NetcoreSimulator, source_settings)
