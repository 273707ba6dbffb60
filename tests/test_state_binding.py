"""A pipeline's local state belongs to its warehouse (issue 11, point 1; DECISIONLOG "Local state
bound to its warehouse").

Two warehouses loaded in turns through one dlt data directory (two checkouts of one user, or one
checkout switching WAREHOUSE_PATH) each equal the truth, and a warehouse restored from a backup
continues from its own state, not from the newer one the loader kept locally.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import dlt
import pytest

from pipelines.common.state import destination_key
from sandbox.compare import report_differences
from tests.conftest import (
    Sandbox,
    dbt_build,
    load_apsis,
    load_benchmark,
    load_maxemail,
    load_netcore,
    query,
    query_dicts,
)

# about 55 s for its three tests on two cores (tests/shards.py)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(18)]

PROVIDERS = ("apsis_one", "maxemail", "netcore", "benchmark")
# The models behind the campaign report, without dbt's tests (other modules run them): enough to
# compare every provider's report with the truth, in a fraction of a full build.
REPORT_ONLY = (
    "--select",
    "+email_campaign_report",
    "--resource-type",
    "model",
    "--resource-type",
    "seed",
)


def load_all(sandbox: Sandbox, warehouse: str, dlt_home: Path) -> None:
    """Every provider into ``warehouse``; the dlt pipelines directory is ``dlt_home``/dlt_pipelines
    whatever the warehouse, as ~/.dlt is for every checkout of one user. Netcore starts just
    before the world's first message (2026-02-10), so a warehouse first loaded after the clock
    advances stays inside Netcore's 90-day retention (an older start is a known gap, CONTRACTS 13)."""
    for load in (load_apsis, load_maxemail, load_benchmark):
        load(sandbox, warehouse, dlt_home)
    load_netcore(sandbox, warehouse, dlt_home, start_date="2026-02-09T00:00:00Z")


def report_problems(sandbox: Sandbox, warehouse: str) -> list[str]:
    problems: list[str] = []
    for provider in PROVIDERS:
        mart = query_dicts(
            warehouse,
            f"select * from marts.email_campaign_report where provider = '{provider}'",
        )
        truth: list[dict[str, Any]] = sandbox.truth(provider)["campaign_report"]
        assert truth, f"the {provider} truth has no campaign"
        problems += [f"{provider}: {p}" for p in report_differences(mart, truth)]
    return problems


def test_two_warehouses_loaded_in_turns_both_equal_the_truth(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    first, second = str(tmp_path / "first.duckdb"), str(tmp_path / "second.duckdb")
    # Each warehouse is loaded while the other one is ahead of it: with one shared local state,
    # the next load of each would start from the other's position and skip what lies between.
    for warehouse in (first, second, first, second):
        load_all(sandbox, warehouse, tmp_path)
        sandbox.advance(hours=48)
    load_all(sandbox, second, tmp_path)
    load_all(sandbox, first, tmp_path)

    dbt_build(first, tmp_path, *REPORT_ONLY)
    dbt_build(second, tmp_path, *REPORT_ONLY)
    for warehouse in (first, second):
        problems = report_problems(sandbox, warehouse)
        assert not problems, f"{Path(warehouse).name}:\n" + "\n".join(problems[:30])


def raw_events(warehouse: str) -> list[tuple[Any, ...]]:
    """APSIS One's raw events as the provider sent them (without the load and export job ids)."""
    return query(
        warehouse,
        "select * exclude (_dlt_load_id, _export_report_id) from raw_apsis_one.email_events order by all",
    )


def test_a_warehouse_restored_from_a_backup_loads_from_its_own_state(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    backup = shutil.copy(warehouse, tmp_path / "backup.duckdb")
    sandbox.advance(hours=72)
    load_apsis(sandbox, warehouse, tmp_path)  # the local state moves past the backup's
    shutil.copy(backup, warehouse)  # the warehouse goes back to the backup
    sandbox.advance(hours=72)
    load_apsis(sandbox, warehouse, tmp_path)

    # A first load at the same clock into a new warehouse reads every event the provider has.
    control = str(tmp_path / "control.duckdb")
    load_apsis(sandbox, control, tmp_path / "control")
    expected = raw_events(control)
    assert len(expected) > 0
    got = raw_events(warehouse)
    assert len(got) == len(expected), f"{len(expected) - len(got)} event rows missing"
    assert got == expected


def test_the_state_directory_is_keyed_by_the_warehouse_location_never_by_credentials() -> None:
    def postgres(**settings: Any) -> str:
        credentials: dict[str, Any] = dict(
            host="db.example.com",
            port=5432,
            database="analytics",
            username="elt",
            password="s3cret",
        )
        credentials.update(settings)
        return destination_key(dlt.destinations.postgres(credentials=credentials), "raw_netcore")

    assert postgres() == postgres(username="other", password="an0ther")
    assert len({postgres(), postgres(host="db2"), postgres(port=5433), postgres(database="x")}) == 4
    assert "s3cret" not in postgres() and "db.example.com" not in postgres()
    first = destination_key(dlt.destinations.duckdb("/data/first.duckdb"), "raw_netcore")
    assert first.startswith("duckdb-")
    assert first != destination_key(dlt.destinations.duckdb("/data/second.duckdb"), "raw_netcore")
    assert first != destination_key(dlt.destinations.duckdb("/data/first.duckdb"), "raw_maxemail")
