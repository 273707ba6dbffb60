"""An honest exit code (issue 11, point 4; docs/CONTRACTS.md 13): a load that knows it is incomplete
exits 1 with one line naming the provider, what is missing and how to recover.

The command line runs for real (`pipelines.__main__.main`) against the sandbox over loopback,
configured the way a user configures it (dlt settings from the environment), with dlt's data dir
and the warehouse under the test's temporary directory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pipelines.__main__ import main
from pipelines.common.runner import LoadError
from tests.conftest import (
    Sandbox,
    apsis_kwargs,
    benchmark_kwargs,
    load_netcore,
    maxemail_kwargs,
    netcore_kwargs,
    query,
)
from tests.test_netcore_source import assert_equals_the_world

KWARGS: dict[str, Callable[..., dict[str, Any]]] = {
    "apsis_one": apsis_kwargs,
    "maxemail": maxemail_kwargs,
    "netcore": netcore_kwargs,
    "benchmark": benchmark_kwargs,
}
DISPLAY = {
    "apsis_one": "APSIS One",
    "maxemail": "Maxemail",
    "netcore": "Netcore",
    "benchmark": "Benchmark Email",
}


def configure(
    monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, tmp_path: Path, **settings: Any
) -> None:
    """Point every provider's dlt settings at ``sandbox`` through environment variables
    (`SOURCES__<PROVIDER>__<NAME>`); ``settings`` override per provider (`netcore={...}`)."""
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt_data"))
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "WARNING")
    for provider, kwargs in KWARGS.items():
        values = {**kwargs(sandbox), **settings.get(provider, {})}
        if provider == "benchmark":
            values.setdefault("reports", False)  # the snapshots play no part here
        for name, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            monkeypatch.setenv(f"SOURCES__{provider.upper()}__{name.upper()}", text)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, list[str]]:
    """The CLI's exit code, its standard output and its `error:` lines."""
    code = main(["load", *args])
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if line.startswith("error:")]


# A 100-day gap. The world clock starts at 2026-02-20T00:00Z (50 days into the world); the first
# load reads everything, then the clock moves to 2026-05-31T00:00Z.
FIRST_CLOCK_DAYS = 50
GAP_HOURS = 24 * 100


def netcore_gap(_: str) -> str:
    # Netcore keeps its position at the first load's local today (2026-02-20, Asia/Kolkata) minus
    # the 3-day lookback; on 2026-05-31 the 90-day retention reaches back to 2026-03-02.
    return "2026-02-17..2026-03-01"


def benchmark_gap(warehouse: str) -> str:
    # Benchmark reads from the latest loaded event minus the 24-hour lookback; pastDays reaches
    # back 90 days from 2026-05-31T00:00Z.
    ((latest,),) = query(warehouse, "select max(timestamp) from raw_benchmark.contact_events")
    since = latest - timedelta(hours=24)
    return f"{since.strftime('%Y-%m-%dT%H:%M:%SZ')}..2026-03-02T00:00:00Z"


# What the provider still serves after the gap, loaded even by the run that fails.
REACHABLE = {
    "netcore": "select max(date) = date '2026-05-31' from raw_netcore.stats",
    "benchmark": "select max(timestamp) > timestamptz '2026-03-02 00:00:00+00' "
    "from raw_benchmark.contact_events",
}


@pytest.mark.parametrize(
    ("provider", "gap"), [("netcore", netcore_gap), ("benchmark", benchmark_gap)]
)
def test_a_gap_beyond_the_retention_fails_until_accepted(
    make_sandbox: Callable[..., Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    provider: str,
    gap: Callable[[str], str],
) -> None:
    """After 100 days without a load, the next load exits 1 with one line naming the provider,
    the lost range and the flag, and still loads what the provider serves; the position stays
    before the gap, so a later run with --allow-gaps meets the same gap, accepts it (exit 0, the
    summary names it), and the run after that has no gap left."""
    sandbox = make_sandbox(initial_days=FIRST_CLOCK_DAYS)
    configure(monkeypatch, sandbox, tmp_path)
    warehouse = str(tmp_path / "warehouse.duckdb")
    assert run(capsys, provider, "--warehouse", warehouse)[0] == 0
    lost = gap(warehouse)
    sandbox.advance(GAP_HOURS)

    code, out, errors = run(capsys, provider, "--warehouse", warehouse)
    assert code == 1 and len(errors) == 1, errors
    assert errors[0].startswith(f"error: {DISPLAY[provider]}: "), errors
    assert lost in errors[0] and "--allow-gaps" in errors[0], errors
    assert f"sources.{provider}.allow_gaps" in errors[0], errors
    assert query(warehouse, REACHABLE[provider]) == [(True,)]
    assert "not accepted: " in out and lost in out, out

    for _ in range(2):  # the failed run kept its position: the gap is found again
        code, out, errors = run(capsys, provider, "--warehouse", warehouse)
        assert code == 1 and len(errors) == 1 and lost in errors[0], errors

    code, out, errors = run(capsys, provider, "--warehouse", warehouse, "--allow-gaps")
    assert code == 0 and errors == [], errors
    assert "accepted (--allow-gaps): " in out and lost in out, out

    code, out, errors = run(capsys, provider, "--warehouse", warehouse)
    assert code == 0 and errors == [] and "gap" not in out, out

    # the run history: the three runs with a gap not accepted are `incomplete`, naming it
    history = query(
        warehouse, f"select status, error from raw_{provider}.load_history order by finished_at"
    )
    statuses = ["succeeded"] + ["incomplete"] * 3 + ["succeeded"] * 2
    assert [status for status, _ in history] == statuses
    assert all(lost in error for status, error in history if status == "incomplete")
    assert all(error is None for status, error in history if status == "succeeded")


def test_the_allow_gaps_setting_accepts_a_start_date_beyond_the_retention(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A first load from a start_date Netcore no longer serves is a gap too: exit 1 without the
    setting; `sources.netcore.allow_gaps = true` accepts it (exit 0), as the flag does."""
    configure(monkeypatch, sandbox, tmp_path, netcore={"start_date": "2025-12-01"})
    warehouse = str(tmp_path / "warehouse.duckdb")
    code, _, errors = run(capsys, "netcore", "--warehouse", warehouse)
    # the world clock is 2026-05-01T00:00Z: 2026-05-01 in Asia/Kolkata, minus 90 days
    assert code == 1 and len(errors) == 1 and "2025-12-01..2026-01-30" in errors[0], errors
    monkeypatch.setenv("SOURCES__NETCORE__ALLOW_GAPS", "true")
    code, out, errors = run(capsys, "netcore", "--warehouse", warehouse)
    assert code == 0 and errors == [], errors
    assert "accepted (sources.netcore.allow_gaps): " in out and "2025-12-01..2026-01-30" in out
    assert_equals_the_world(sandbox, warehouse)  # every message of the world is younger


FUTURE = [
    (provider, setting)
    for provider in KWARGS
    for setting in ("start_date", "since")
    if not (provider == "benchmark" and setting == "start_date")  # Benchmark has no start_date
]


@pytest.mark.parametrize(("provider", "setting"), FUTURE)
def test_a_start_in_the_future_fails_naming_the_setting(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    provider: str,
    setting: str,
) -> None:
    """A start after the provider's clock (2026-05-01 in the sandbox) would load nothing, with
    exit 0 and no word today: it exits 1 with one line naming the setting and the clock."""
    future = "2026-06-01"
    overrides = {provider: {"start_date": future}} if setting == "start_date" else {}
    configure(monkeypatch, sandbox, tmp_path, **overrides)
    args = ["--since", future] if setting == "since" else []
    warehouse = str(tmp_path / "warehouse.duckdb")
    code, _, errors = run(capsys, provider, "--warehouse", warehouse, *args)
    assert code == 1 and len(errors) == 1, errors
    name = "--since" if setting == "since" else f"sources.{provider}.start_date"
    assert errors[0].startswith(f"error: {DISPLAY[provider]}: {name} {future}"), errors
    assert "is after the provider's clock 2026-05-01" in errors[0], errors


def test_a_listing_short_of_its_total_exits_1_with_one_line(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The pager's short listing (issue 10) through the command line: exit 1, one line."""
    configure(monkeypatch, sandbox, tmp_path)
    sandbox.faults("benchmark", total_overstated_by=1)
    code, _, errors = run(capsys, "benchmark", "--warehouse", str(tmp_path / "w.duckdb"))
    assert code == 1 and len(errors) == 1, errors
    assert re.match(
        r"error: Benchmark Email: (GET|POST) /api/\S+: received \d+ of the \d+ ", errors[0]
    )


def test_a_download_logs_file_short_of_its_reported_rows_fails_and_keeps_the_position(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    """Netcore's Download Logs status reports the file's rows: a file that holds fewer fails the
    load naming the download and both counts; the next run loads every message."""
    sandbox.faults("netcore", download_rows_overstated_by=2)
    with pytest.raises(LoadError) as info:
        load_netcore(sandbox, warehouse, tmp_path, download_logs=True)
    message = str(info.value)
    assert message.startswith("Netcore: Download Logs "), message
    assert "(2026-02-01..2026-03-02): the file holds " in message, message
    held = int(message.split("the file holds ")[1].split()[0])
    assert f"holds {held} rows where the status reported {held + 2}" in message, message
    sandbox.faults("netcore", download_rows_overstated_by=0)
    load_netcore(sandbox, warehouse, tmp_path, download_logs=True)
    assert_equals_the_world(sandbox, warehouse)
