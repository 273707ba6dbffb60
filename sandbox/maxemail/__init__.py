"""Maxemail in the sandbox (PROVIDERS.md section 1; docs/CONTRACTS.md 5): the world's messages
and events (model.py, events.py), the simulator mounted at `/maxemail` (simulator.py with
settings.py, files.py, find.py) and its ground truth (truth.py)."""

from __future__ import annotations

from typing import Any

from sandbox.maxemail.events import generate_part
from sandbox.maxemail.settings import MaxemailSettings
from sandbox.maxemail.simulator import MaxemailSimulator
from sandbox.plugin import ProviderPlugin


def source_settings(base_url: str) -> dict[str, Any]:
    """The loader's `maxemail` settings for the sandbox account at `base_url` (the sandbox's root
    URL): its public test credentials and the account's timezone."""
    account = MaxemailSettings()
    return {
        "base_url": f"{base_url}/maxemail",
        "username": account.username,
        "password": account.password,
        "account_id": "sandbox",
        "start_date": "2026-01-01T00:00:00Z",
        "timezone": account.timezone,
    }


PLUGIN = ProviderPlugin("maxemail", generate_part, MaxemailSimulator, source_settings)
