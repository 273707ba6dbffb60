"""Clear words for common mistakes (issue 11, point 7): one line naming what is wrong and what to
do, instead of a traceback, a silent default or a minute of retries."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.__main__ import main
from pipelines.common.errors import ProviderError
from pipelines.common.http import HttpClient
from pipelines.common.runner import LoadError
from tests.conftest import ROOT, Sandbox, load_apsis, query


def warehouse_with_a_raw_table(path: Path) -> str:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_netcore")
        con.execute("create table raw_netcore.events (id integer)")
    return str(path)


def make(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_transform_on_a_locked_warehouse_names_the_process_holding_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = warehouse_with_a_raw_table(tmp_path / "w.duckdb")
    holder = subprocess.Popen(  # another writer: a load, a dbt run, a notebook
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({path!r}); print('ready', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert main(["check", "--warehouse", path]) == 2
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    print(err)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"the warehouse {path} is locked by process {holder.pid}" in err
    assert "one writer at a time" in err and "re-run" in err


def test_html_answer_of_the_export_status_endpoint_names_the_endpoint(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    sandbox.faults("apsis_one", html_status_next=1)  # a maintenance page instead of the API
    with pytest.raises(LoadError) as failed:
        load_apsis(sandbox, warehouse, tmp_path)
    message = str(failed.value)
    print(message)
    assert message.startswith("APSIS One: GET /apsis_one/emails/reports/")
    assert "answered HTTP 200 with text/html, not JSON" in message
    assert "'<!DOCTYPE html>" in message and "base_url" in message
    assert "Expecting value" not in message


def test_make_transform_names_a_misspelled_dbt_var_and_the_closest_one(tmp_path: Path) -> None:
    path = warehouse_with_a_raw_table(tmp_path / "w.duckdb")
    dbt_out = {  # should dbt run after all, it writes here, never into the project
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_PROFILES_DIR": str(tmp_path),
    }
    shutil.copy(ROOT / "profiles.example.yml", tmp_path / "profiles.yml")
    result = make(
        "transform",
        "DBT_ARGS=--vars '{maxemial_enabled: false}'",
        env={"WAREHOUSE": "duckdb", "WAREHOUSE_PATH": path, **dbt_out},
    )
    print(result.stderr)
    assert result.returncode != 0
    assert "error: unknown dbt var maxemial_enabled (did you mean maxemail_enabled?)" in (
        result.stderr
    )
    assert "Running with dbt" not in result.stdout  # stopped before dbt


def test_declared_dbt_vars_pass_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = warehouse_with_a_raw_table(tmp_path / "w.duckdb")
    args = "--vars '{maxemail_enabled: false, report_as_of: \"2026-05-01T00:00:00Z\"}'"
    assert main(["check", "--warehouse", path, "--dbt-args", args]) == 0
    assert main(["check", "--warehouse", path, "--dbt-args", "--vars='{maxemail_enabld: 1}'"]) == 2
    assert "did you mean maxemail_enabled?" in capsys.readouterr().err


def test_misspelled_provider_gets_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "apsis", "netcor"]) == 2
    err = capsys.readouterr().err
    print(err)
    assert err.count("\n") == 1
    assert (
        "unknown provider 'apsis' (did you mean apsis_one?), 'netcor' (did you mean netcore?)"
        in err
    )


def test_unreachable_host_fails_within_seconds_and_says_what_to_check() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # loopback (where a sandbox runs) is no special case: the same retries and words as any host
    client = HttpClient("Netcore", f"http://127.0.0.1:{port}/netcore")
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        client.request("GET", "/v5.1/events")
    seconds = time.monotonic() - started
    print(f"{seconds:.1f} s: {info.value}")
    assert seconds < 10  # was about 62 s of connect retries
    message = str(info.value)
    assert f"cannot connect to 127.0.0.1:{port} (connection refused), 3 attempt(s)" in message
    assert "check the provider's base_url (or region) setting" in message


def test_make_load_sandbox_follows_sandbox_port(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    """`make load-sandbox SANDBOX_PORT=...` loads from that sandbox, whatever .dlt/ and the
    user's SOURCES__* variables name: the target is the explicit choice."""
    port = sandbox.url.rsplit(":", 1)[1]
    result = make(
        "load-sandbox",
        "PROVIDERS=benchmark",
        f"SANDBOX_PORT={port}",
        env={
            "WAREHOUSE": "duckdb",
            "WAREHOUSE_PATH": warehouse,
            "DLT_DATA_DIR": str(tmp_path),
            "SOURCES__BENCHMARK__BASE_URL": "http://127.0.0.1:9/benchmark",  # the user's account
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert query(warehouse, "select count(*) from raw_benchmark.campaigns")[0][0] > 0


def test_make_load_never_reaches_the_sandbox(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    """`make load` reads .dlt/, whose defaults are the real providers': a SANDBOX_PORT left in the
    shell changes nothing, and Benchmark (no global host) asks for its base_url."""
    port = sandbox.url.rsplit(":", 1)[1]
    env = {n: v for n, v in os.environ.items() if not n.startswith("SOURCES__")}
    result = subprocess.run(
        ["make", "--no-print-directory", "load", "PROVIDERS=benchmark"],
        cwd=ROOT,
        env={
            **env,
            "SANDBOX_PORT": port,
            "WAREHOUSE_PATH": warehouse,
            "DLT_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "Benchmark Email: missing configuration" in result.stderr, result.stderr[-2000:]
    assert "base_url" in result.stderr and sandbox.url not in result.stderr + result.stdout
    # nothing loaded: no raw table but the run history, which records the failed run
    tables = query(
        warehouse,
        "select table_name from information_schema.tables where table_schema = 'raw_benchmark' "
        "and table_name not like '\\_dlt%' escape '\\'",
    )
    assert tables == [("load_history",)]
    history = query(warehouse, "select status, error from raw_benchmark.load_history")
    assert [status for status, _ in history] == ["failed"]
    assert "Benchmark Email: missing configuration" in history[0][1]


def test_make_load_sandbox_stops_when_no_sandbox_answers(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = make(
        "load-sandbox",
        "PROVIDERS=benchmark",
        f"SANDBOX_PORT={port}",
        env={"WAREHOUSE_PATH": str(tmp_path / "w.duckdb"), "DLT_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert f"no sandbox answers at http://127.0.0.1:{port}: start it with `make sandbox`" in (
        result.stderr
    )
    assert "loading" not in result.stderr.lower()  # stopped before the loader ran
