"""Runs that are killed or hit a locked warehouse (issue 11, points 2, 7 and 9).

A real loader process is killed (SIGKILL) at a chosen step; the only thing patched in it is the
moment of the kill. A real second process holds DuckDB's lock. Then one ordinary run must leave
the warehouse equal to the truth, and no temporary download file behind.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import dlt
import pytest

from pipelines.common.runner import LoadError, load_provider, make_pipeline
from tests.conftest import ROOT, Sandbox, apsis_kwargs, dbt_build, load_apsis, query
from tests.test_end_to_end_apsis_one import APSIS_ONLY, assert_marts_equal_truth

# about 35 s for its five tests on two cores (tests/shards.py)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(7)]

REPORT_AND_FACTS = (
    "--select",
    "+email_campaign_report",
    "+fct_email_events",
    "--resource-type",
    "model",
    "--resource-type",
    "seed",
)
# Loads APSIS One like load_apsis; HOOK decides when the process kills itself.
CHILD = """
import json, os, signal, sys
from pipelines.common.runner import load_provider

def kill(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

{hook}
load_provider("apsis_one", **json.loads(sys.argv[1]))
"""
# In dlt's load step, after every job of the package ran, before the load is marked complete.
KILL_IN_LOAD_STEP = "from dlt.load.load import Load\nLoad.complete_package = kill"
# When dlt's load step starts on the package, before any job of it ran.
KILL_AT_LOAD_START = "from dlt.load.load import Load\nLoad.load_single_package = kill"
# While the export file is on disk, before a row of it is read.
KILL_AFTER_DOWNLOAD = "import pipelines.apsis_one.rows as source\nsource.iter_csv_tables = kill"


def run_killed(
    hook: str, sandbox: Sandbox, warehouse: str, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    arguments = dict(
        warehouse=warehouse,
        pipelines_dir=str(tmp_path / "dlt_pipelines"),
        **apsis_kwargs(sandbox),
    )
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(hook=hook), json.dumps(arguments)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-3000:]
    return child


def test_a_load_killed_in_its_load_step_is_finished_by_the_next_run(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    sandbox.advance(hours=72)
    run_killed(KILL_IN_LOAD_STEP, sandbox, warehouse, tmp_path)
    pipeline = make_pipeline("apsis_one", warehouse, str(tmp_path / "dlt_pipelines"))
    assert pipeline.list_normalized_load_packages(), "the killed run left no pending package"

    sandbox.advance(hours=72)
    summary = load_apsis(sandbox, warehouse, tmp_path)  # one run: the pending load, then new data
    print(f"after the kill: {summary.loads} load(s), {summary.export_jobs} export job(s)")
    assert summary.export_jobs >= 1
    # the models behind the report and the facts the assertion reads; dbt's tests run elsewhere
    dbt_build(warehouse, tmp_path, *APSIS_ONLY, *REPORT_AND_FACTS)
    assert_marts_equal_truth(sandbox, warehouse)


@contextmanager
def lock_held(path: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding DuckDB's write lock on ``path`` until the block ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
            "sys.stdin.read()",
            path,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def raw_events(warehouse: str) -> list[tuple[Any, ...]]:
    return query(
        warehouse,
        "select * exclude (_dlt_load_id, _export_report_id) from raw_apsis_one.email_events "
        "order by all",
    )


def assert_same_events(warehouse: str, control: str) -> None:
    """``warehouse`` holds exactly the raw events of ``control``, a first load at the same clock."""
    got, expected = raw_events(warehouse), raw_events(control)
    assert expected, "the control load holds no event"
    assert len(got) == len(expected), f"{len(expected) - len(got)} event rows missing"
    assert got == expected


def assert_lock_message(error: LoadError, warehouse: str, holder: subprocess.Popen[str]) -> None:
    message = str(error)
    print(message)
    assert f"the warehouse {warehouse} is locked" in message  # the real path, not a default
    assert f"PID {holder.pid}" in message
    assert "re-run" in message


def test_a_locked_warehouse_fails_naming_it_and_the_next_run_catches_up(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The warehouse comes from WAREHOUSE_PATH, as with `make load`, and is not warehouse.duckdb.
    warehouse = str(tmp_path / "analytics" / "email.duckdb")
    Path(warehouse).parent.mkdir()
    monkeypatch.setenv("WAREHOUSE_PATH", warehouse)

    def load() -> Any:
        return load_provider(
            "apsis_one", pipelines_dir=str(tmp_path / "dlt_pipelines"), **apsis_kwargs(sandbox)
        )

    load()
    sandbox.advance(hours=72)
    with lock_held(warehouse) as holder, pytest.raises(LoadError) as before_start:
        load()
    assert_lock_message(before_start.value, warehouse, holder)

    # The lock is taken when dlt's load step starts: the extract is done and its package pending.
    original = dlt.Pipeline.load
    with ExitStack() as stack:
        holders: list[subprocess.Popen[str]] = []

        def load_step(self: dlt.Pipeline, *args: Any, **kwargs: Any) -> Any:
            if not holders:
                holders.append(stack.enter_context(lock_held(warehouse)))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(dlt.Pipeline, "load", load_step)
        with pytest.raises(LoadError) as during:
            load()
        monkeypatch.setattr(dlt.Pipeline, "load", original)
        assert holders, "the load step never ran"
        assert_lock_message(during.value, warehouse, holders[0])

    sandbox.advance(hours=72)
    summary = load()
    assert summary.export_jobs >= 1
    control = str(tmp_path / "control.duckdb")
    load_apsis(sandbox, control, tmp_path / "control")
    assert_same_events(warehouse, control)


def test_download_files_of_a_killed_run_are_removed_by_the_next_run(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = tmp_path / "tmp"
    downloads.mkdir()
    run_killed(KILL_AFTER_DOWNLOAD, sandbox, warehouse, tmp_path, env={"TMPDIR": str(downloads)})
    left = list(downloads.glob("*.download"))
    assert len(left) == 1 and left[0].stat().st_size > 0, "the killed run left no download file"
    # A download of a run that is still going (this test's parent process) is not touched.
    running = downloads / f"email-elt-{os.getppid()}-running.download"
    running.write_bytes(b"in use")

    monkeypatch.setattr(tempfile, "tempdir", str(downloads))
    load_apsis(sandbox, warehouse, tmp_path)  # the next run
    assert sorted(p.name for p in downloads.iterdir()) == [running.name]


def test_a_pending_load_is_not_loaded_into_a_warehouse_restored_since(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_apsis(sandbox, warehouse, tmp_path)
    backup = shutil.copy(warehouse, tmp_path / "backup.duckdb")
    sandbox.advance(hours=72)
    load_apsis(sandbox, warehouse, tmp_path)
    sandbox.advance(hours=72)
    run_killed(KILL_AT_LOAD_START, sandbox, warehouse, tmp_path)  # pending on the newer state
    shutil.copy(backup, warehouse)  # the warehouse goes back to the backup

    load_apsis(sandbox, warehouse, tmp_path)
    control = str(tmp_path / "control.duckdb")
    load_apsis(sandbox, control, tmp_path / "control")
    assert_same_events(warehouse, control)


def test_a_pending_load_that_fails_again_says_how_to_give_it_up(
    sandbox: Sandbox, warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAD__RAISE_ON_MAX_RETRIES", "1")  # dlt retries a failing job 5 times
    load_apsis(sandbox, warehouse, tmp_path)
    sandbox.advance(hours=72)
    run_killed(KILL_AT_LOAD_START, sandbox, warehouse, tmp_path)
    pipeline = make_pipeline("apsis_one", warehouse, str(tmp_path / "dlt_pipelines"))
    damaged = list(Path(pipeline.working_dir).glob("load/normalized/*/new_jobs/email_events.*"))
    assert damaged, "the killed run left no pending email_events file"
    for path in damaged:  # as a full disk would leave it
        path.write_bytes(b"PAR1")

    with pytest.raises(LoadError) as error:
        load_apsis(sandbox, warehouse, tmp_path)
    message = str(error.value)
    print(message)
    assert "the load left pending by an interrupted run failed again" in message
    assert "too small to be a Parquet file" in message
    command = re.search(r"`dlt (pipeline [^`]+ abort-packages)`", message)
    assert command, message
    dlt_cli = Path(sys.executable).with_name("dlt")
    subprocess.run(
        [str(dlt_cli), "--yes", *shlex.split(command[1])],
        check=True,
        cwd=tmp_path,
        env={**os.environ, "DLT_DATA_DIR": str(tmp_path / "dlt_home")},
    )

    load_apsis(sandbox, warehouse, tmp_path)
    control = str(tmp_path / "control.duckdb")
    load_apsis(sandbox, control, tmp_path / "control")
    assert_same_events(warehouse, control)
