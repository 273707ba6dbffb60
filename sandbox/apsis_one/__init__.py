"""APSIS One in the sandbox (PROVIDERS.md section 2; docs/CONTRACTS.md 1-4): the world's
campaigns and events (catalog.py, events.py, world.py), the simulator mounted at `/apsis_one`
(simulator.py with auth.py, export.py, catalog_api.py) and its ground truth (truth.py)."""

from __future__ import annotations

from typing import Any

from sandbox.apsis_one.simulator import ApsisOneSettings, ApsisOneSimulator
from sandbox.apsis_one.world import generate
from sandbox.audience import GENDER, TAGS, sections
from sandbox.plugin import ProviderPlugin


def source_settings(base_url: str) -> dict[str, Any]:
    """The loader's `apsis_one` settings for the sandbox account at `base_url` (the sandbox's
    root URL): its public test credentials, the first section and one attribute and tag."""
    credentials = ApsisOneSettings()
    return {
        "base_url": f"{base_url}/apsis_one",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "account_id": "sandbox",
        "start_date": "2026-01-01T00:00:00Z",
        "section": sections(1)[0].discriminator,
        "attribute_version_ids": [GENDER.version_id],
        "tag_discriminators": [TAGS[0].discriminator],
    }


PLUGIN = ProviderPlugin("apsis_one", generate, ApsisOneSimulator, source_settings)
