"""Shared fixtures: a sandbox on loopback, temporary warehouses, the loader and dbt for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from pipelines.common.runner import LoadSummary, load_provider
from sandbox import SandboxServer, WorldConfig, world_config
from sandbox.env import environment
from sandbox.providers import PROVIDERS as SANDBOX_PROVIDERS
from tests.shards import pytest_collection_modifyitems  # noqa: F401  (TEST_SHARD=i/n)

ROOT = Path(__file__).resolve().parent.parent

# A small world keeps the suite fast; the default world is exercised by `make demo`.
SMALL_WORLD: dict[str, Any] = dict(recipients=150, campaigns=6)
# Fast retries for the sandbox's injected 429/5xx (waits from 0.1 s instead of 1 s; a Retry-After
# is still waited in full): a setting of every source, as a user's would be.
FAST_RETRIES: dict[str, Any] = dict(request_backoff_factor=0.1)


@pytest.fixture(autouse=True, scope="session")
def isolated_dlt_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """dlt's data directory for the whole session is a temporary one: no test reads or writes the
    user's ~/.dlt (or /var/dlt as root). Subprocesses inherit it unless a test sets its own."""
    saved = os.environ.get("DLT_DATA_DIR")
    os.environ["DLT_DATA_DIR"] = str(tmp_path_factory.mktemp("dlt_data_dir"))
    yield
    if saved is None:
        os.environ.pop("DLT_DATA_DIR", None)
    else:
        os.environ["DLT_DATA_DIR"] = saved


class Sandbox:
    """A running sandbox plus helpers to talk to its admin API."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.url = server.url

    def settings(self, provider: str) -> dict[str, Any]:
        """The loader's settings for this sandbox's account of ``provider`` (.dlt/config.toml
        holds the real providers' defaults: a source reaches the sandbox only through these)."""
        return SANDBOX_PROVIDERS[provider].source_settings(self.url)

    def env(self, *providers: str) -> dict[str, str]:
        """The same as `SOURCES__<PROVIDER>__<SETTING>` variables, for a CLI subprocess (every
        provider when none is named): what `python -m sandbox env` prints."""
        return environment(self.url, providers or None)

    def truth(self, provider: str = "apsis_one") -> dict[str, Any]:
        return requests.get(f"{self.url}/_sandbox/truth/{provider}", timeout=30).json()

    def advance(self, hours: float) -> None:
        requests.post(
            f"{self.url}/_sandbox/clock", json={"advance_hours": hours}, timeout=10
        ).raise_for_status()

    def faults(self, provider: str = "apsis_one", **settings: Any) -> None:
        requests.post(
            f"{self.url}/_sandbox/faults", json={provider: settings}, timeout=10
        ).raise_for_status()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    server = SandboxServer(WorldConfig(**SMALL_WORLD))
    server.start()
    try:
        yield Sandbox(server)
    finally:
        server.stop()


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes over `world_config(*modes, **SMALL_WORLD, **settings)` (account modes,
    sandbox.config.ACCOUNT_MODES); each is stopped after the test."""
    servers: list[SandboxServer] = []

    def start(*modes: str, **settings: Any) -> Sandbox:
        server = SandboxServer(world_config(*modes, **{**SMALL_WORLD, **settings}))
        server.start()
        servers.append(server)
        return Sandbox(server)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    return str(tmp_path / "warehouse.duckdb")


def apsis_kwargs(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    """Source arguments for the sandbox's APSIS One, fast polling."""
    kwargs: dict[str, Any] = dict(
        **sandbox.settings("apsis_one"),
        poll_initial_seconds=0.05,
        poll_max_seconds=0.5,
        **FAST_RETRIES,
    )
    kwargs.update(overrides)
    return kwargs


def load_apsis(sandbox: Sandbox, warehouse: str, tmp_path: Path, **overrides: Any) -> LoadSummary:
    return load_provider(
        "apsis_one",
        warehouse=warehouse,
        pipelines_dir=str(tmp_path / "dlt_pipelines"),
        **apsis_kwargs(sandbox, **overrides),
    )


def maxemail_kwargs(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    """Source arguments for the sandbox's Maxemail."""
    kwargs: dict[str, Any] = {**sandbox.settings("maxemail"), **FAST_RETRIES}
    kwargs.update(overrides)
    return kwargs


def load_maxemail(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, **overrides: Any
) -> LoadSummary:
    return load_provider(
        "maxemail",
        warehouse=warehouse,
        pipelines_dir=str(tmp_path / "dlt_pipelines"),
        **maxemail_kwargs(sandbox, **overrides),
    )


def benchmark_kwargs(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    """Source arguments for the sandbox's Benchmark Email (key with every scope)."""
    kwargs: dict[str, Any] = {**sandbox.settings("benchmark"), **FAST_RETRIES}
    kwargs.update(overrides)
    return kwargs


def load_benchmark(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, **overrides: Any
) -> LoadSummary:
    return load_provider(
        "benchmark",
        warehouse=warehouse,
        pipelines_dir=str(tmp_path / "dlt_pipelines"),
        **benchmark_kwargs(sandbox, **overrides),
    )


def netcore_kwargs(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    """Source arguments for the sandbox's Netcore, fast polling."""
    kwargs: dict[str, Any] = dict(
        **sandbox.settings("netcore"),
        poll_initial_seconds=0.05,
        poll_max_seconds=0.5,
        **FAST_RETRIES,
    )
    kwargs.update(overrides)
    return kwargs


def load_netcore(sandbox: Sandbox, warehouse: str, tmp_path: Path, **overrides: Any) -> LoadSummary:
    return load_provider(
        "netcore",
        warehouse=warehouse,
        pipelines_dir=str(tmp_path / "dlt_pipelines"),
        **netcore_kwargs(sandbox, **overrides),
    )


def load_every_provider(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, **benchmark_overrides: Any
) -> list[LoadSummary]:
    """APSIS One, Maxemail, Netcore and Benchmark Email, in that order, into ``warehouse``; their
    load summaries."""
    return [
        load_apsis(sandbox, warehouse, tmp_path),
        load_maxemail(sandbox, warehouse, tmp_path),
        load_netcore(sandbox, warehouse, tmp_path),
        load_benchmark(sandbox, warehouse, tmp_path, **benchmark_overrides),
    ]


def query(warehouse: str, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()


def query_dicts(warehouse: str, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(warehouse, read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """``values`` set in os.environ for the block (a loader reads its warehouse settings from
    there); each name's former value, or its absence, is restored afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_env(warehouse: str, tmp_path: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a dbt run on ``warehouse``: the project's profile template copied to
    ``tmp_path``/dbt_profiles, target and logs under ``tmp_path``; ``env`` overrides."""
    profiles = tmp_path / "dbt_profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "profiles.example.yml", profiles / "profiles.yml")
    return {
        **os.environ,
        "WAREHOUSE": "duckdb",
        "WAREHOUSE_PATH": warehouse,
        "DBT_PROFILES_DIR": str(profiles),
        "DBT_TARGET_PATH": str(tmp_path / "dbt_target"),
        "DBT_LOG_PATH": str(tmp_path / "dbt_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }


def dbt_build(
    warehouse: str,
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    unit_tests: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`dbt build` on ``warehouse`` with the project's own profile template; fails the test on error.
    ``env`` overrides the environment (e.g. WAREHOUSE=postgres and the PG* settings).

    dbt's unit tests (about 47, some 10 CPU seconds a build) test the SQL against fixtures, not
    the warehouse's data, so they run only where they are the point (``unit_tests=True``: the first
    build of test_end_to_end_marts, which checks every one ran and passed, and both builds of
    test_postgres); every other build adds `--exclude-resource-type unit_test`, as the daily
    `make transform` does."""
    env = dbt_env(warehouse, tmp_path, env)
    dbt = Path(sys.executable).with_name("dbt")
    unit_tests_out = [] if unit_tests else ["--exclude-resource-type", "unit_test"]
    result = subprocess.run(
        [str(dbt), "build", *args, *unit_tests_out],
        cwd=ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result
