"""The APSIS One source against the sandbox simulator over real HTTP, into a temporary DuckDB."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
import requests

from pipelines.common.runner import LoadError
from tests.conftest import ROOT, Sandbox, load_apsis, query

# about 4 s a test on two cores, well over the default of a unit test (tests/shards.py)
pytestmark = pytest.mark.cost(4)

EVENT_TYPES = {
    "SENT": "sent",
    "DELIVERED": "delivered",
    "OPENED": "opened",
    "CLICKED": "clicked",
    "BOUNCED": "bounced",
    "UNSUBSCRIBED": "unsubscribed",
    "ABUSE": "complained",
}


def logical_event_counts(warehouse: str) -> Counter[tuple[str, str]]:
    """Distinct provider events in the raw table (retries and re-reads collapsed)."""
    rows = query(
        warehouse,
        "select activity_id, type, count(distinct correlation_id) "
        "from raw_apsis_one.email_events group by all",
    )
    return Counter({(a, EVENT_TYPES[t]): n for a, t, n in rows})


def truth_event_counts(sandbox: Sandbox) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (r["campaign_id"], r["event_type"]): r["count"]
            for r in sandbox.truth()["event_counts"]
            if r["count"]
        }
    )


def test_loads_every_visible_event_with_attribute_columns_and_a_ledger(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    summary = load_apsis(
        sandbox,
        warehouse,
        tmp_path,
        section=sandbox_section(sandbox),
        attribute_version_ids=["491874"],
        tag_discriminators=["vip"],
    )
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)
    columns = {
        r[0]
        for r in query(
            warehouse,
            "select column_name from information_schema.columns "
            "where table_schema = 'raw_apsis_one' and table_name = 'email_events'",
        )
    }
    assert {
        "gender_version_id_491874",
        "vip_version_id_vip",
        "_dlt_load_id",
        "_export_report_id",
    } <= columns
    assert (
        query(
            warehouse,
            "select count(*) from raw_apsis_one.email_events where vip_version_id_vip = 'TAG'",
        )[0][0]
        > 0
    )
    # 120 days from 2026-01-01 need two windows of at most 3 calendar months, one load each.
    jobs = query(
        warehouse,
        "select window_start, window_end, status, rows, bytes from raw_apsis_one.export_jobs "
        "order by window_start",
    )
    assert [j[2] for j in jobs] == ["completed", "completed"]
    assert summary.loads == 2 and summary.export_jobs == 2
    assert jobs[0][1] == jobs[1][0]
    assert jobs[0][1] <= datetime(2026, 4, 1, tzinfo=jobs[0][1].tzinfo)
    assert sum(j[3] for j in jobs) == summary.rows["email_events"]
    assert all(j[4] > 0 for j in jobs)
    assert query(warehouse, "select count(*) from raw_apsis_one.activities")[0][0] > 0


def sandbox_section(sandbox: Sandbox) -> str:
    return sandbox.server.world.sections[0].discriminator


def test_second_load_with_nothing_new_adds_no_row(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    before = query(warehouse, "select count(*) from raw_apsis_one.email_events")[0][0]
    summary = load_apsis(sandbox, warehouse, tmp_path)
    after = query(warehouse, "select count(*) from raw_apsis_one.email_events")[0][0]
    assert after == before
    # The re-run asked only for the lookback window, not for history.
    assert summary.export_jobs == 1
    window = query(
        warehouse,
        "select window_end - window_start from raw_apsis_one.export_jobs "
        "order by requested_at desc limit 1",
    )[0][0]
    assert window.total_seconds() <= 24 * 3600 + 1


def test_advancing_the_clock_loads_exactly_the_new_events(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    first = logical_event_counts(warehouse)
    sandbox.advance(hours=72)
    load_apsis(sandbox, warehouse, tmp_path)
    second = logical_event_counts(warehouse)
    assert second == truth_event_counts(sandbox)
    assert sum(second.values()) > sum(first.values())


def test_export_ending_in_error_is_split_and_nothing_is_lost(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.faults(fail_next_exports=2)
    load_apsis(sandbox, warehouse, tmp_path)
    statuses = Counter(
        r[0] for r in query(warehouse, "select status from raw_apsis_one.export_jobs")
    )
    assert statuses["split"] == 2
    assert statuses["completed"] >= 4
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)


def test_oversized_exports_are_split_until_they_fit(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    largest = max(r["count"] for r in sandbox.truth()["event_counts"])
    # Many halvings: lift the per-minute export limit so the test does not wait it out.
    sandbox.faults(max_export_rows=largest * 2, exports_per_minute=1000)
    load_apsis(sandbox, warehouse, tmp_path)
    rows = query(warehouse, "select status, rows from raw_apsis_one.export_jobs")
    assert any(s == "split" for s, _ in rows)
    assert all(n <= largest * 2 for s, n in rows if s == "completed")
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)


def test_transient_faults_are_retried(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    sandbox.faults(truncate_downloads=1, rate_limit_next=2, server_error_next=1)
    load_apsis(sandbox, warehouse, tmp_path)
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)


def test_short_lived_token_is_renewed_before_it_expires(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    from pipelines.apsis_one import client as client_module

    sandbox.faults(token_ttl_seconds=3)
    client_module._TOKENS.clear()
    # Slow polling outlives the token; the client renews it ahead of its `exp`.
    load_apsis(sandbox, warehouse, tmp_path, poll_initial_seconds=1.5, poll_max_seconds=1.5)
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)


def test_revoked_token_gets_401_and_is_fetched_again(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.faults(revoke_tokens=1)
    load_apsis(sandbox, warehouse, tmp_path)
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)
    faults = requests.get(f"{sandbox.url}/_sandbox/faults", timeout=10).json()
    assert faults["apsis_one"]["revoke_tokens"] == 0  # the 401 was met and survived


def test_small_windows_inside_the_lookback_do_not_loop(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    # Half-day windows with a 24 h lookback: the windows of the last day cannot move the
    # cursor, so they are read together in one load instead of one load each, forever.
    summary = load_apsis(sandbox, warehouse, tmp_path, window_days=10, lookback_hours=24)
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)
    before = summary.loads
    summary = load_apsis(sandbox, warehouse, tmp_path, window_days=0.5, lookback_hours=24)
    assert summary.loads == 1 and summary.export_jobs == 2
    assert before <= 13


def test_backfill_commits_window_by_window_and_failures_reach_the_ledger(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path, window_days=30)
    summary = load_apsis(sandbox, warehouse, tmp_path, window_days=30, since="2026-02-01T00:00:00Z")
    assert summary.loads >= 3  # one load per window, not one for the whole backfill
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)

    sandbox.faults(fail_next_exports=1)
    with pytest.raises(LoadError, match="ended in status error even for a window"):
        load_apsis(
            sandbox,
            warehouse,
            tmp_path,
            window_days=30,
            since="2026-04-01T00:00:00Z",
            min_window_minutes=60 * 24 * 60,
        )
    errors = query(
        warehouse,
        "select window_start, error from raw_apsis_one.export_jobs where status = 'error'",
    )
    assert len(errors) == 1 and "injected fault" in errors[0][1]


def test_bad_settings_name_the_setting(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="APSIS One: setting start_date='yesterday'"):
        load_apsis(sandbox, warehouse, tmp_path, start_date="yesterday")
    with pytest.raises(LoadError, match="APSIS One: setting window_days must be positive"):
        load_apsis(sandbox, warehouse, tmp_path, window_days=0)


def test_export_past_its_deadline_fails_clearly_and_a_rerun_completes(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    # The first window loads, then the provider stalls: the second window's export never ends.
    load_apsis(sandbox, warehouse, tmp_path, window_days=60, max_loads=1)
    first = logical_event_counts(warehouse)
    assert 0 < sum(first.values()) < sum(truth_event_counts(sandbox).values())
    sandbox.faults(status_delay_seconds=600)
    with pytest.raises(LoadError) as info:
        load_apsis(sandbox, warehouse, tmp_path, window_days=60, export_deadline_seconds=1)
    assert str(info.value).startswith("APSIS One: export ")
    assert "not finished" in str(info.value) and "deadline" in str(info.value)
    assert logical_event_counts(warehouse) == first  # what was loaded stays

    sandbox.faults(status_delay_seconds=0.05, pending_export_limit=10)
    load_apsis(sandbox, warehouse, tmp_path, window_days=60)
    assert logical_event_counts(warehouse) == truth_event_counts(sandbox)


def test_bad_client_secret_names_apsis_one_and_hides_the_secret(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    secret = "wrong-secret-5f2c9a"
    with pytest.raises(LoadError) as info:
        load_apsis(sandbox, warehouse, tmp_path, client_secret=secret)
    message = str(info.value)
    assert message.startswith("APSIS One:")
    assert "authentication failed" in message and "401" in message
    assert secret not in message


def test_cli_reports_bad_credentials_without_the_secret(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    secret = "cli-wrong-secret-77d1"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DLT_DATA_DIR": str(tmp_path / "dlt"),  # never the system's /var/dlt or ~/.dlt
        "DLT_PROJECT_DIR": str(tmp_path),  # no .dlt/: every setting from the environment
        "SOURCES__APSIS_ONE__BASE_URL": f"{sandbox.url}/apsis_one",
        "SOURCES__APSIS_ONE__CLIENT_ID": "sandbox-client",
        "SOURCES__APSIS_ONE__CLIENT_SECRET": secret,
        "SOURCES__APSIS_ONE__START_DATE": "2026-01-01T00:00:00Z",
        "WAREHOUSE_PATH": warehouse,
    }
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", "apsis_one", "-v"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "error: APSIS One: authentication failed" in output
    assert secret not in output
