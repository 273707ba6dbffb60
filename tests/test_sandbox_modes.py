"""The sandbox's account modes (sandbox.config.ACCOUNT_MODES, docs/CONTRACTS.md 12) serve the
shapes they name over HTTP, and the default world does not change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from sandbox import ACCOUNT_MODES, WorldConfig, world_config
from tests.conftest import Sandbox
from tests.test_sandbox_apsis_one import Apsis


def test_modes_serve_accounts_without_split_tests_clicks_or_contacts(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = make_sandbox("no_split_tests", "no_clicks", "no_contacts")
    apsis = Apsis(sandbox)
    sections = apsis.get("/audience/sections").json()["items"]
    activities = [
        activity
        for section in sections
        for activity in apsis.get(f"/emails/sections/{section['discriminator']}/activities").json()[
            "items"
        ]
    ]
    assert activities and not [a for a in activities if "splits" in a]

    for provider in ("apsis_one", "maxemail", "netcore", "benchmark"):
        truth = sandbox.truth(provider)
        assert truth["campaign_report"], provider
        assert not any(r["unique_click_count"] for r in truth["campaign_report"]), provider
        assert sum(r["unique_open_count"] for r in truth["campaign_report"]) > 0, provider

    bme = {"X-API-Key": "bme_sandbox_all"}
    contacts = requests.post(
        f"{sandbox.url}/benchmark/api/contact/search", json={}, headers=bme, timeout=10
    ).json()
    assert contacts == {"contacts": [], "totalRecords": 0}
    dashboard = requests.get(
        f"{sandbox.url}/benchmark/api/reports/dashboard",
        params={"pastDays": 30},
        headers=bme,
        timeout=10,
    ).json()
    assert dashboard["contact"]["count"]["value"] == 0
    events = requests.get(
        f"{sandbox.url}/benchmark/api/contact/events",
        params={"pastDays": 90, "size": 100},
        headers=bme,
        timeout=10,
    ).json()
    assert events["records"], "the campaigns' contact events stay"


def test_default_world_keeps_split_tests_clicks_and_contacts(sandbox: Sandbox) -> None:
    apsis = Apsis(sandbox)
    section = apsis.get("/audience/sections").json()["items"][0]["discriminator"]
    activities = apsis.get(f"/emails/sections/{section}/activities").json()["items"]
    assert all("splits" in a for a in activities)  # `[]` for a plain send
    assert any(r["unique_click_count"] for r in sandbox.truth("netcore")["campaign_report"])
    contacts = requests.post(
        f"{sandbox.url}/benchmark/api/contact/search",
        json={},
        headers={"X-API-Key": "bme_sandbox_all"},
        timeout=10,
    ).json()
    assert contacts["totalRecords"] > 0


def test_world_config_names_modes_and_rejects_unknown_ones() -> None:
    assert world_config() == WorldConfig()
    config = world_config("no_clicks", campaigns=3)
    assert (config.click_rate, config.click_without_open_rate, config.campaigns) == (0, 0, 3)
    assert set(ACCOUNT_MODES) == {"no_split_tests", "no_clicks", "no_contacts", "no_machines"}
    with pytest.raises(ValueError, match="unknown account mode 'no_opens'"):
        world_config("no_opens")
