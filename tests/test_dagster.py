"""The Dagster code location (pipelines/orchestration/, issue 17 point 3): its job materialises
every provider's raw tables and every dbt model against the sandbox, in process, with the dlt
assets upstream of the dbt sources; a provider failing fails its asset with the loader's message
and keeps the others' loads; the daily schedule reads its cron and timezone from the environment.

Settings reach the assets as they reach `make load-sandbox transform`: the sandbox's
SOURCES__* variables (dlt's configuration; the checkout's .dlt/ is hidden, as the demo hides it),
WAREHOUSE_PATH and the dbt profile of profiles.example.yml; dlt's data directory is the session's
temporary one (tests/conftest.py).
"""

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    materialize,
)

from pipelines.common.runner import PROVIDERS
from pipelines.orchestration.build import (
    CRON_VAR,
    JOB_NAME,
    SCHEDULE_NAME,
    TIMEZONE_VAR,
    build_definitions,
)
from pipelines.orchestration.loads import provider_assets, table_specs
from sandbox.demo import check_against_truth
from tests.conftest import Sandbox, dbt_env, query

pytestmark = [pytest.mark.e2e]


@pytest.fixture(autouse=True)
def signal_handlers() -> Iterator[None]:
    """The test process's SIGINT and SIGTERM handlers, as they were before each test. Dagster's
    in-process run maps SIGTERM to SIGINT's handler when it ends: SIG_IGN in a shard that
    scripts/test.sh starts in the background, where the later tests of the process could then
    never stop a child with SIGTERM."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


# loader settings a test run needs beside the sandbox's: fast retries and export polling
FAST = {"REQUEST_BACKOFF_FACTOR": "0.1"}
FAST_POLLING = {"POLL_INITIAL_SECONDS": "0.05", "POLL_MAX_SECONDS": "0.5"}
# a raw table of each provider that a dlt resource writes (Maxemail's `sent`: four resources)
PRINCIPAL_TABLES = {
    "apsis_one": "email_events",
    "maxemail": "sent",
    "netcore": "events",
    "benchmark": "contact_events",
}


@pytest.fixture(scope="module")
def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dbt's target directory for the module (the manifest is parsed once)."""
    return tmp_path_factory.mktemp("dbt_target")


def point_at(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dbt_target: Path,
    sandbox: Sandbox | None = None,
) -> str:
    """The environment of `make load-sandbox transform` on a warehouse in ``tmp_path``: the
    sandbox's SOURCES__* settings, a temporary warehouse, dbt's profile, target and logs."""
    for name in [n for n in os.environ if n.startswith(("SOURCES__", "DESTINATION__"))]:
        monkeypatch.delenv(name)
    for name in ("DBT_TARGET", "DBT_PROFILE", CRON_VAR, TIMEZONE_VAR):
        monkeypatch.delenv(name, raising=False)
    project = tmp_path / "dlt_project"  # the checkout's .dlt/ (a developer's accounts) hidden
    project.mkdir()
    monkeypatch.setenv("DLT_PROJECT_DIR", str(project))
    warehouse = str(tmp_path / "warehouse.duckdb")
    env = dbt_env(warehouse, tmp_path)
    for name in ("WAREHOUSE", "WAREHOUSE_PATH", "DBT_PROFILES_DIR"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("DBT_TARGET_PATH", str(dbt_target))  # one dbt parse for the module
    monkeypatch.setenv("DBT_LOG_PATH", env["DBT_LOG_PATH"])
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if sandbox is not None:
        for name, value in sandbox.env().items():
            monkeypatch.setenv(name, value)
        for provider in PROVIDERS:
            polls = FAST_POLLING if provider in ("apsis_one", "netcore") else {}
            for key, value in {**FAST, **polls}.items():
                monkeypatch.setenv(f"SOURCES__{provider.upper()}__{key}", value)
    return warehouse


def raw_rows(warehouse: str, provider: str, table: str) -> int:
    return int(query(warehouse, f"select count(*) from raw_{provider}.{table}")[0][0])


@pytest.mark.cost(45)
def test_the_job_materialises_every_asset_and_a_failing_provider_fails_alone(
    make_sandbox: Callable[..., Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dbt_target: Path,
) -> None:
    sandbox = make_sandbox()
    warehouse = point_at(monkeypatch, tmp_path, dbt_target, sandbox)
    monkeypatch.setenv("SOURCES__APSIS_ONE__CLIENT_SECRET", "not-the-secret")
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    dlt_keys = {k for k in graph.get_all_asset_keys() if "dlt" in graph.get(k).kinds}
    dbt_keys = {k for k in graph.get_all_asset_keys() if "dbt" in graph.get(k).kinds}
    assert dlt_keys and dbt_keys and not dlt_keys & dbt_keys

    # lineage: every raw table a dbt model reads is a dlt asset, keyed by the translator from the
    # source's resources, or (dlt's nested tables, the export ledger) by the dbt source's name
    upstream = {p for k in dbt_keys for p in graph.get(k).parent_keys} - dbt_keys
    assert upstream, "no dbt model reads a raw table"
    assert upstream <= dlt_keys, f"dbt sources without a dlt asset: {sorted(upstream - dlt_keys)}"
    from_resources = {s.key for p in PROVIDERS for s in table_specs(p)}
    for provider, table in PRINCIPAL_TABLES.items():
        assert AssetKey([provider, table]) in from_resources & upstream, (provider, table)
    assert any("__" in k.path[-1] for k in upstream - from_resources)  # dlt's nested tables

    # APSIS One with a wrong secret: its asset fails with the loader's message, the others load
    job = defs.resolve_job_def(JOB_NAME)
    first = job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)
    assert not first.success
    failures = [e for e in first.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert [e.step_key for e in failures] == ["load_apsis_one"]
    message = str(failures[0].step_failure_data.error)
    assert "APSIS One: authentication failed" in message, message
    assert "not-the-secret" not in message, message
    loaded = {e.asset_key for e in first.get_asset_materialization_events()}
    assert loaded == {k for k in dlt_keys if k.path[0] != "apsis_one"}
    assert "dbt_build" not in {e.step_key for e in first.all_events if e.is_step_success}
    for provider, table in (("maxemail", "sent"), ("netcore", "events"), ("benchmark", "contacts")):
        assert raw_rows(warehouse, provider, table) > 0, f"raw_{provider}.{table} is empty"

    # the right secret: the same job materialises everything, the marts equal the truth
    netcore_events = raw_rows(warehouse, "netcore", "events")
    monkeypatch.setenv(
        "SOURCES__APSIS_ONE__CLIENT_SECRET", sandbox.env()["SOURCES__APSIS_ONE__CLIENT_SECRET"]
    )
    second = job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)
    assert second.success
    done = {e.asset_key for e in second.get_asset_materialization_events()}
    assert done == dlt_keys | dbt_keys
    checks = second.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks), [c.check_name for c in checks if not c.passed]
    assert raw_rows(warehouse, "netcore", "events") == netcore_events  # nothing twice
    # window by window: APSIS One's load committed more than one load (the runner's loop)
    apsis = second.asset_materializations_for_node("load_apsis_one")[0].metadata
    loads = apsis["provider_loads"].value
    assert isinstance(loads, int) and loads > 1, loads
    truths = {p: sandbox.truth(p) for p in PROVIDERS}
    assert check_against_truth(warehouse, truths)


@pytest.mark.cost(3)
def test_an_incomplete_load_fails_its_asset_and_keeps_what_it_loaded(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_target: Path
) -> None:
    """Netcore from a start_date past its 90-day retention (tests/test_gaps.py): the asset fails
    with the loader's gap message; the windows the provider still serves are committed."""
    warehouse = point_at(monkeypatch, tmp_path, dbt_target, sandbox)
    monkeypatch.setenv("SOURCES__NETCORE__START_DATE", "2025-12-01")
    result = materialize(
        [provider_assets("netcore")], instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success and not result.get_asset_materialization_events()
    (failure,) = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    message = str(failure.step_failure_data.error)
    assert "Netcore: incomplete load" in message and "2025-12-01..2026-01-30" in message, message
    assert "--allow-gaps" in message, message
    assert raw_rows(warehouse, "netcore", "events") > 0


@pytest.mark.cost(3)
def test_the_definitions_load_with_the_schedule_of_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_target: Path
) -> None:
    point_at(monkeypatch, tmp_path, dbt_target)
    defs = build_definitions()
    Definitions.validate_loadable(defs)
    schedule = defs.resolve_schedule_def(SCHEDULE_NAME)
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "UTC")
    assert schedule.job_name == JOB_NAME
    monkeypatch.setenv(CRON_VAR, "30 5 * * 1-5")
    monkeypatch.setenv(TIMEZONE_VAR, "Europe/London")
    # a setting not made (Benchmark's, none here) or one the source rejects (Netcore's start
    # date): the definitions still load, and the load fails naming it
    monkeypatch.setenv("SOURCES__NETCORE__API_KEY", "a-key")
    monkeypatch.setenv("SOURCES__NETCORE__START_DATE", "the first of May")
    defs = build_definitions()
    schedule = defs.resolve_schedule_def(SCHEDULE_NAME)
    assert (schedule.cron_schedule, schedule.execution_timezone) == (
        "30 5 * * 1-5",
        "Europe/London",
    )
    loads = [a for a in defs.assets or [] if isinstance(a, AssetsDefinition)]
    steps = {a.node_def.name: a for a in loads}
    assert AssetKey(["netcore", "events"]) in steps["load_netcore"].keys
    assert AssetKey(["benchmark", "contact_events"]) in steps["load_benchmark"].keys
    result = materialize(
        [steps["load_netcore"], steps["load_benchmark"]],
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    errors = {
        e.step_key: str(e.step_failure_data.error)
        for e in result.all_events
        if e.event_type == DagsterEventType.STEP_FAILURE
    }
    assert "Netcore: setting start_date='the first of May'" in errors["load_netcore"], errors
    assert "Benchmark Email: missing configuration api_key" in errors["load_benchmark"], errors
    monkeypatch.setenv(CRON_VAR, "at six")
    with pytest.raises(ValueError, match=CRON_VAR):
        build_definitions()
    monkeypatch.setenv(CRON_VAR, "0 6 * * *")
    monkeypatch.setenv(TIMEZONE_VAR, "Europe/Londn")
    with pytest.raises(ValueError, match=TIMEZONE_VAR):
        build_definitions()


@pytest.mark.cost(2)
def test_the_loader_never_imports_dagster() -> None:
    code = (
        "import sys, pipelines.__main__, pipelines.common.runner, pipelines.transform; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'dagster_dlt', "
        "'dagster_dbt') or m.startswith('pipelines.orchestration')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
