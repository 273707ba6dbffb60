"""Split the suite into shards that run at once, one per CPU (`scripts/test.sh`, TEST_SHARD=i/n).

Every shard collects the same tests and keeps its own share: whole modules (module-scoped
fixtures load once), balanced by a rough cost. End-to-end tests build a dbt project (about 40 s
each on two cores); the rest take about half a second. The split is deterministic, so the shards
together run every test exactly once.
"""

from __future__ import annotations

import os

import pytest

E2E_COST = 40.0
POSTGRES_COST = 60.0
OTHER_COST = 0.6


def shard_of_env() -> tuple[int, int] | None:
    """(index, count) from TEST_SHARD="i/n", or None when the suite runs whole."""
    value = os.environ.get("TEST_SHARD", "").strip()
    if not value:
        return None
    index, _, count = value.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise pytest.UsageError(f"TEST_SHARD={value!r}: expected i/n, e.g. 0/2") from None
    if not 0 <= i < n:
        raise pytest.UsageError(f"TEST_SHARD={value!r}: i must be in 0..n-1")
    return i, n


def cost(item: pytest.Item) -> float:
    """A test's rough cost: its `cost(seconds)` marker when it has one (a test that runs a whole
    pipeline several times), else by its kind."""
    marker = item.get_closest_marker("cost")
    if marker is not None:
        return float(marker.args[0])
    if item.get_closest_marker("postgres"):
        return POSTGRES_COST
    if item.get_closest_marker("e2e"):
        return E2E_COST
    return OTHER_COST


def assign(module_costs: dict[str, float], count: int) -> dict[str, int]:
    """Greedy: the costliest module first, each to the shard with the least cost so far."""
    loads = [0.0] * count
    shard_of: dict[str, int] = {}
    for module, module_cost in sorted(module_costs.items(), key=lambda kv: (-kv[1], kv[0])):
        target = min(range(count), key=lambda s: (loads[s], s))
        shard_of[module] = target
        loads[target] += module_cost
    return shard_of


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = shard_of_env()
    if shard is None:
        return
    index, count = shard
    module_costs: dict[str, float] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        module_costs[module] = module_costs.get(module, 0.0) + cost(item)
    shard_of = assign(module_costs, count)
    keep = [item for item in items if shard_of[item.nodeid.split("::")[0]] == index]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep
