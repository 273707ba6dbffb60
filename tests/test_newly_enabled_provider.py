"""Issue 15, point 3: a provider enabled after the incremental models were built needs no
`--full-refresh`. The models are built with `maxemail_enabled: false`; the next day's incremental
build, with Maxemail enabled, reads all of its history (it has no watermark in the models yet) and
only the newest load of APSIS One. Maxemail was loaded from the first day on (a user who loads a
provider before enabling it in dbt), so its first load is older than APSIS One's watermark (its
load that day came first): a watermark shared by the providers would skip it. Every incremental
model (the two facts, the three hourly report aggregates and the campaigns' per-campaign
aggregates, with dim_email_campaigns built from them) then holds row for row what a
`--full-refresh` build holds (`except all` both ways).

Lookback 0 hours, as in tests/test_incremental_equals_full_refresh.py: the test's loads are seconds
apart, and the default 72 hours would re-read every load of every provider.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import Sandbox, dbt_build, load_apsis, load_maxemail, query

pytestmark = [pytest.mark.e2e, pytest.mark.cost(32)]

INCREMENTAL = {
    "fct_email_events": "marts",
    "fct_email_deliveries": "marts",
    "int_email_report_first_events__hourly": "intermediate",
    "int_email_report_cohorts__hourly": "intermediate",
    "int_email_report_every_events__hourly": "intermediate",
    # the campaigns' per-campaign aggregates: Maxemail's sends built in full when it is enabled,
    # its first sends read in full by the per-provider watermark of int_email_campaign_first_sends
    "int_apsis_one__campaign_attributes": "intermediate",
    "int_maxemail__campaign_sends": "intermediate",
    "int_email_campaign_first_sends": "intermediate",
    "dim_email_campaigns": "marts",
}
# the incremental models and what they read; models and seeds only (tests are not the point)
MODELS = ("--resource-type", "seed", "--resource-type", "model")
SELECT = ("--select", *(f"+{model}" for model in INCREMENTAL), *MODELS)


def copy_incremental(warehouse: str) -> None:
    with duckdb.connect(warehouse) as con:
        con.execute("create schema if not exists incremental_copy")
        for model, schema in INCREMENTAL.items():
            con.execute(
                f"create or replace table incremental_copy.{model} as select * from {schema}.{model}"
            )


def differences(warehouse: str) -> dict[str, tuple[int, int]]:
    """Per model: (rows only in the incremental build, rows only in the full refresh)."""
    found = {}
    for model, schema in INCREMENTAL.items():
        a, b = f"incremental_copy.{model}", f"{schema}.{model}"
        [(only_a,)] = query(warehouse, f"select count(*) from ({_except(a, b)})")
        [(only_b,)] = query(warehouse, f"select count(*) from ({_except(b, a)})")
        found[model] = (only_a, only_b)
    return found


def _except(a: str, b: str) -> str:
    return f"select * from {a} except all select * from {b}"


def test_a_newly_enabled_provider_ends_equal_to_a_full_refresh(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_maxemail(sandbox, warehouse, tmp_path)  # loaded (before APSIS One), not modelled yet
    load_apsis(sandbox, warehouse, tmp_path)
    dbt_build(
        warehouse, tmp_path, "--vars", "{maxemail_enabled: false, event_lookback_hours: 0}", *SELECT
    )
    providers = "select distinct provider from marts.fct_email_events order by 1"
    assert query(warehouse, providers) == [("apsis_one",)]

    sandbox.advance(hours=24)
    load_apsis(sandbox, warehouse, tmp_path)
    load_maxemail(sandbox, warehouse, tmp_path)
    dbt_build(warehouse, tmp_path, "--vars", "{event_lookback_hours: 0}", *SELECT)
    assert query(warehouse, providers) == [("apsis_one",), ("maxemail",)]
    # Maxemail's first day, loaded before APSIS One's newest load (older than its watermark),
    # is read too: the watermarks are per provider
    loads = "select count(distinct loaded_at) from marts.fct_email_events where provider = "
    assert query(warehouse, loads + "'maxemail'") == [(2,)]
    copy_incremental(warehouse)
    counts = {
        model: query(warehouse, f"select count(*) from incremental_copy.{model}")[0][0]
        for model in INCREMENTAL
    }
    assert all(n > 0 for n in counts.values()), counts

    dbt_build(
        warehouse,
        tmp_path,
        "--vars",
        "{event_lookback_hours: 0}",
        "--full-refresh",
        "--select",
        *INCREMENTAL,
        *MODELS,
    )
    assert differences(warehouse) == {model: (0, 0) for model in INCREMENTAL}
