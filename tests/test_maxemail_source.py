"""The Maxemail source against the sandbox simulator over real HTTP, into a temporary DuckDB."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipelines.common.runner import LoadError
from tests.conftest import ROOT, Sandbox, load_maxemail, query

RAW_TABLES = ("sent", "opened", "clicked", "responded", "bounced", "unsubscribed")


def raw_counts(warehouse: str) -> Counter[tuple[str, str]]:
    """Rows per (email id, canonical type) for the types the truth counts exactly."""
    counts: Counter[tuple[str, str]] = Counter()
    present = {
        r[0]
        for r in query(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'raw_maxemail'",
        )
    }
    for table, event_type in (("sent", "sent"), ("bounced", "bounced")):
        if table not in present:
            continue
        for email_id, n in query(
            warehouse, f"select email_id, count(*) from raw_maxemail.{table} group by all"
        ):
            counts[(email_id, event_type)] += n
    if "unsubscribed" not in present:
        return counts
    for email_id, kind, n in query(
        warehouse,
        "select email_id, unsubscribe_type = 'feedback', count(*) "
        "from raw_maxemail.unsubscribed group by all",
    ):
        counts[(email_id, "complained" if kind else "unsubscribed")] += n
    return counts


def truth_counts(sandbox: Sandbox) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (r["campaign_id"], r["event_type"]): r["count"]
            for r in sandbox.truth("maxemail")["event_counts"]
            if r["count"]
        }
    )


def table_rows(warehouse: str) -> dict[str, int]:
    return {t: query(warehouse, f"select count(*) from raw_maxemail.{t}")[0][0] for t in RAW_TABLES}


def test_loads_every_export_and_the_campaign_metadata(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    summary = load_maxemail(sandbox, warehouse, tmp_path)
    assert raw_counts(warehouse) == truth_counts(sandbox)
    rows = table_rows(warehouse)
    assert all(rows[t] > 0 for t in RAW_TABLES), rows
    types = {r[0] for r in query(warehouse, "select distinct _message_type from raw_maxemail.sent")}
    assert types == {"campaign", "triggered", "transactional", "sms"}
    # 24 export jobs in the ledger, one per service × method.
    jobs = query(
        warehouse, "select count(distinct resource), count(*) from raw_maxemail.export_jobs"
    )
    assert jobs == [(24, 24)] and summary.export_jobs == 24
    # Every message id seen in an export has its metadata, numbers as integers.
    seen = {r[0] for r in query(warehouse, "select distinct email_id from raw_maxemail.sent")}
    found = query(warehouse, "select email_id, total_sent from raw_maxemail.campaigns")
    assert {str(e) for e, _ in found} >= seen
    assert all(isinstance(n, int) for _, n in found)
    # Timestamps are stored as UTC.
    column_type = query(
        warehouse,
        "select data_type from information_schema.columns where table_schema = 'raw_maxemail' "
        "and table_name = 'opened' and column_name = 'open_timestamp'",
    )
    assert column_type == [("TIMESTAMP WITH TIME ZONE",)]


def test_second_load_adds_nothing_and_a_clock_advance_adds_exactly_the_new_rows(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_maxemail(sandbox, warehouse, tmp_path)
    first = table_rows(warehouse)
    load_maxemail(sandbox, warehouse, tmp_path)
    assert table_rows(warehouse) == first
    sandbox.advance(hours=24 * 10)
    load_maxemail(sandbox, warehouse, tmp_path)
    assert raw_counts(warehouse) == truth_counts(sandbox)
    assert sum(table_rows(warehouse).values()) > sum(first.values())


def test_truncated_download_is_retried_and_expired_key_requested_again(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.faults("maxemail", truncate_downloads=1, expire_next_keys=1)
    load_maxemail(sandbox, warehouse, tmp_path, exports=["campaign.sent", "campaign.bounced"])
    attempts = query(warehouse, "select max(attempts) from raw_maxemail.export_jobs")
    assert attempts == [(2,)]  # one export needed a second key
    sent = {k: v for k, v in truth_counts(sandbox).items() if k[1] in ("sent", "bounced")}
    campaign_ids = {
        r[0] for r in query(warehouse, "select distinct email_id from raw_maxemail.sent")
    }
    assert {k: v for k, v in raw_counts(warehouse).items() if k[0] in campaign_ids} == {
        k: v for k, v in sent.items() if k[0] in campaign_ids
    }


def test_transient_errors_are_retried(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    sandbox.faults("maxemail", rate_limit_next=1, server_error_next=1)
    load_maxemail(sandbox, warehouse, tmp_path)
    assert raw_counts(warehouse) == truth_counts(sandbox)


def test_export_selection_runs_only_the_configured_resources(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_maxemail(sandbox, warehouse, tmp_path, exports=["triggered.opened"])
    tables = {
        r[0]
        for r in query(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'raw_maxemail'",
        )
    }
    assert "opened" in tables and "sent" not in tables
    assert query(warehouse, "select distinct _message_type from raw_maxemail.opened") == [
        ("triggered",)
    ]


def test_bad_password_names_maxemail_and_hides_the_secret(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    secret = "not-the-pass-41c"
    with pytest.raises(LoadError) as info:
        load_maxemail(sandbox, warehouse, tmp_path, password=secret)
    message = str(info.value)
    assert message.startswith("Maxemail: authentication failed")
    assert "401" in message and secret not in message


def test_cli_loads_maxemail_from_config(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DLT_DATA_DIR": str(tmp_path / "dlt"),  # never the system's /var/dlt or ~/.dlt
        "DLT_PROJECT_DIR": str(tmp_path),  # no .dlt/: every setting from the environment
        "SOURCES__MAXEMAIL__BASE_URL": f"{sandbox.url}/maxemail",
        "SOURCES__MAXEMAIL__USERNAME": "sandbox-user",
        "SOURCES__MAXEMAIL__PASSWORD": "sandbox-pass",
        "SOURCES__MAXEMAIL__START_DATE": "2026-01-01T00:00:00Z",
        "SOURCES__MAXEMAIL__EXPORTS": '["campaign.sent"]',
        "WAREHOUSE_PATH": warehouse,
    }
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", "maxemail"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "raw_maxemail.sent" in result.stdout and "raw_maxemail.campaigns" in result.stdout
