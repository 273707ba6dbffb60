"""`make test` runs the suite in shards (tests/shards.py): together they run every test once."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.shards import assign


def collected(shard: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEST_SHARD"}
    if shard:
        env["TEST_SHARD"] = shard
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_the_shards_together_collect_every_test_exactly_once() -> None:
    whole = collected(None)
    first, second = collected("0/2"), collected("1/2")
    assert first and second
    assert sorted(first + second) == sorted(whole)
    # whole modules: a module's tests stay in one shard (module-scoped fixtures load once)
    assert not {t.split("::")[0] for t in first} & {t.split("::")[0] for t in second}


def test_the_costliest_modules_are_spread_over_the_shards() -> None:
    shard_of = assign({"a": 100.0, "b": 90.0, "c": 10.0, "d": 1.0}, 2)
    assert shard_of["a"] != shard_of["b"]
    assert sorted(shard_of) == ["a", "b", "c", "d"]
    assert shard_of["c"] == shard_of["b"]  # the lighter shard takes the next module
