"""A world sized by its event count, and built the same way in parallel processes (issue 13)."""

from __future__ import annotations

import pytest

from sandbox.config import sized_for_events, world_config
from sandbox.providers import PROVIDERS
from sandbox.world import World


@pytest.mark.parametrize("events", [20_000, 300_000])
def test_a_world_sized_for_n_events_has_about_n_apsis_events(events: int) -> None:
    config = world_config(**sized_for_events(events))
    world = World(config, providers=[PROVIDERS["apsis_one"]], processes=1)
    assert abs(world.summary()["apsis_events"] - events) / events < 0.1


def test_sizes_grow_every_provider_in_proportion() -> None:
    small, large = sized_for_events(1_000_000), sized_for_events(10_000_000)
    assert large["campaigns"] > small["campaigns"] and large["recipients"] > small["recipients"]
    assert large["netcore_campaigns"] > small["netcore_campaigns"]
    with pytest.raises(ValueError, match="positive"):
        sized_for_events(0)


def test_parts_built_in_forked_processes_equal_parts_built_in_process() -> None:
    config = world_config(recipients=600, campaigns=6)
    serial, forked = World(config, processes=1), World(config, processes=2)
    assert serial.summary() == forked.summary()
    for name, plugin in PROVIDERS.items():
        part = forked.parts[name]
        # the audience travels once: every part is re-attached to the parent's recipients
        held = part.audience.recipients if hasattr(part, "audience") else part.recipients
        assert held is forked.audience.recipients, name
        truth = plugin.simulator(serial.clock, serial.parts[name]).truth({})
        assert plugin.simulator(forked.clock, part).truth({}) == truth, name
