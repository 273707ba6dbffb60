"""End to end for the report aggregates (models/intermediate/reports, DECISIONLOG.md "Report marts
from hourly per-campaign aggregates"): after a first build and two clock advances, each followed
by incremental loads and an incremental `dbt build`, the three hourly aggregates, every report
mart and the incremental campaign report, link activity and suppressions hold exactly what a
`--full-refresh` build of them holds, and the calendar marts still equal
the truth (CONTRACTS 9, 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from bench.marts_truth import REPORT_MARTS as MARTS
from tests.conftest import (
    Sandbox,
    dbt_build,
    load_every_provider,
    query_dicts,
)
from tests.test_end_to_end_report_marts import PAST_DAYS, TIMEZONE, assert_report_marts_equal_truth

pytestmark = pytest.mark.e2e

AGGREGATES = (
    "int_email_report_first_events__hourly",
    "int_email_report_cohorts__hourly",
    "int_email_report_every_events__hourly",
)
# the incremental marts per campaign, link and recipient (DECISIONLOG.md "Link activity,
# suppressions and the campaign report as incremental marts")
INCREMENTAL_MARTS = (
    "email_campaign_report",
    "email_campaign_link_activity",
    "email_recipient_suppressions",
)


def load_all(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> str:
    load_every_provider(sandbox, warehouse, tmp_path, timezone=TIMEZONE)
    return str(requests.get(f"{sandbox.url}/_sandbox/clock", timeout=10).json()["now"])


def report_vars(now: str, lookback_hours: int = 72) -> str:
    return (
        f'{{report_as_of: "{now}", reporting_timezone: "{TIMEZONE}", '
        f"report_past_days: {list(PAST_DAYS)}, event_lookback_hours: {lookback_hours}}}"
    )


def snapshot(warehouse: str) -> dict[str, list[tuple[object, ...]]]:
    relations = [f"intermediate.{name}" for name in AGGREGATES]
    relations += [f"marts.{mart}" for mart, _key in MARTS.values()]
    relations += [f"marts.{mart}" for mart in INCREMENTAL_MARTS]
    tables: dict[str, list[tuple[object, ...]]] = {}
    for relation in relations:
        rows = query_dicts(warehouse, f"select * from {relation}")
        tables[relation] = sorted((tuple(sorted(row.items())) for row in rows), key=repr)
    return tables


def test_report_aggregates_equal_a_full_refresh_after_advances(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.advance(hours=13.6)
    now = load_all(sandbox, warehouse, tmp_path)
    dbt_build(warehouse, tmp_path, "--vars", report_vars(now))
    first = snapshot(warehouse)
    for hours in (30, 30):
        # new sends, late opens and clicks of older campaigns, bounces: the incremental runs
        # replace the campaigns (and event hours) they touch
        sandbox.advance(hours=hours)
        now = load_all(sandbox, warehouse, tmp_path)
        # lookback 0: the loads are seconds apart in wall time, so the default 72 hours would
        # re-read every load and prove nothing about the incremental rules
        dbt_build(warehouse, tmp_path, "--vars", report_vars(now, lookback_hours=0))
    incremental = snapshot(warehouse)
    incrementals = [f"intermediate.{name}" for name in AGGREGATES]
    incrementals += [f"marts.{name}" for name in INCREMENTAL_MARTS]
    changed = [name for name in incrementals if first[name] != incremental[name]]
    assert changed == incrementals, f"the advances changed only {changed}: the test proves nothing"
    # Maxemail's first open depends on the reads (CONTRACTS 5.3): the others against the truth
    assert_report_marts_equal_truth(
        sandbox, warehouse, now, "calendar", ("apsis_one", "netcore", "benchmark")
    )
    dbt_build(
        warehouse,
        tmp_path,
        "--full-refresh",
        "--select",
        *AGGREGATES,
        *INCREMENTAL_MARTS,
        "path:models/marts/reports",
        "--vars",
        report_vars(now),
    )
    rebuilt = snapshot(warehouse)
    differing = [name for name in rebuilt if rebuilt[name] != incremental[name]]
    assert not differing, f"incremental builds differ from a full refresh in {differing}"
