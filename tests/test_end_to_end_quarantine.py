"""End to end for provider surprises (docs/CONTRACTS.md 14, issue 11 point 5): an APSIS One export
type and a Netcore status nobody maps, and a Maxemail export column nobody declared, served by the
sandbox over an unchanged world. One load of every provider and one `dbt build`:

* the build passes (exit 0), with a warning naming each unknown value and its count;
* the unknown events sit in `fct_email_events` as `event_type = 'unknown'` with their raw type,
  as many as the sandbox served (its truth `unmapped_event_types`, counted in Python);
* every known event's marts equal the truth, for every provider: the unknown events count as no
  known kind (campaign report, APSIS One event counts, link activity, suppressions);
* Maxemail's new column lands in its raw table and the load summary names it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from sandbox.compare import report_differences
from sandbox.human_truth import flag_errors
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
from tests.test_end_to_end_marts import assert_marts_equal_truth

# about 25 s on two cores (tests/shards.py)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(25)]

PROVIDERS = ("apsis_one", "maxemail", "netcore", "benchmark")


def unknown_events(warehouse: str) -> dict[tuple[str, str], int]:
    rows = query(
        warehouse,
        "select provider, raw_event_type, count(*) from marts.fct_email_events "
        "where event_type = 'unknown' group by all",
    )
    return {(provider, raw): count for provider, raw, count in rows}


def test_unknown_types_are_quarantined_and_named_and_every_mart_still_builds(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.faults("apsis_one", unknown_event_every=5, unknown_event_type="FORWARDED")
    sandbox.faults("netcore", unknown_status_every=3, unknown_status="inbox")
    sandbox.faults("maxemail", extra_column="list id")
    load_apsis(sandbox, warehouse, tmp_path)
    maxemail = load_maxemail(sandbox, warehouse, tmp_path)
    load_netcore(sandbox, warehouse, tmp_path)
    load_benchmark(sandbox, warehouse, tmp_path)

    build = dbt_build(warehouse, tmp_path)  # fails the test unless dbt exits 0

    truth = {p: sandbox.truth(p) for p in PROVIDERS}
    served = {
        (provider, row["raw_event_type"]): row["count"]
        for provider in PROVIDERS
        for row in truth[provider]["unmapped_event_types"]
    }
    assert set(served) == {("apsis_one", "FORWARDED"), ("netcore", "inbox")}
    assert all(count > 0 for count in served.values()), served
    # quarantined: every one of them, and nothing else
    assert unknown_events(warehouse) == served
    # named: one warning per provider and value, with its count
    for (provider, raw), count in served.items():
        pattern = (
            rf"{provider}: event type '{raw}' is not mapped: {count} events? in fct_email_events"
        )
        assert re.search(pattern, build.stdout), (
            f"no warning {pattern!r} in:\n{build.stdout[-4000:]}"
        )
    assert re.search(r"WARN\s+2\s+assert_no_unmapped_event_types", build.stdout), build.stdout[
        -4000:
    ]

    # the known events' marts equal the truth, for every provider
    for provider in PROVIDERS:
        mart = query_dicts(
            warehouse, f"select * from marts.email_campaign_report where provider = '{provider}'"
        )
        # issue 16: the human columns too, but for what the misjudged pairs explain
        with duckdb.connect(warehouse, read_only=True) as con:
            errors = flag_errors(con, provider, truth[provider]["machine_pairs"])
        problems = report_differences(mart, truth[provider]["campaign_report"], errors=errors)
        assert not problems, f"{provider}:\n" + "\n".join(problems[:30])
    apsis_counts = Counter(
        {
            (campaign, kind): n
            for campaign, kind, n in query(
                warehouse,
                "select campaign_id, event_type, count(*) from marts.fct_email_events "
                "where provider = 'apsis_one' and event_type <> 'unknown' group by all",
            )
        }
    )
    assert apsis_counts == Counter(
        {
            (r["campaign_id"], r["event_type"]): r["count"]
            for r in truth["apsis_one"]["event_counts"]
            if r["count"]
        }
    )
    assert_marts_equal_truth(sandbox, warehouse)  # link activity and suppressions

    # Maxemail's new column is in its raw tables, and the load summary names it
    rows = query(
        warehouse,
        "select count(*), count(case when list_id = 'list-' || email_id then 1 end) "
        "from raw_maxemail.sent",
    )
    assert rows[0][0] > 0 and rows[0][0] == rows[0][1], rows
    assert any("raw_maxemail.sent" in n and "list_id" in n for n in maxemail.notices), (
        maxemail.notices
    )
