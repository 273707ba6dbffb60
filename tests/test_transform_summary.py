"""`python -m pipelines transform` (pipelines/transform.py) without dbt: the command line it gives
dbt and the summary it prints. A real dbt build, its counts against run_results.json, a failing
test and the log file are tested on the demo's warehouse (tests/test_demo.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from pipelines import transform
from pipelines.__main__ import main


def test_with_vars_merges_into_the_passed_vars_whichever_their_form() -> None:
    assert transform.with_vars(["--full-refresh"], {"data_tests_full": True}) == [
        "--full-refresh",
        "--vars",
        '{"data_tests_full": true}',
    ]
    for passed in (["--vars", "{maxemail_enabled: false}"], ["--vars={maxemail_enabled: false}"]):
        args = transform.with_vars(["-s", "x", *passed], {"data_tests_full": True})
        assert args[:3] == ["-s", "x", "--vars"] and len(args) == 4
        assert yaml.safe_load(args[3]) == {"maxemail_enabled": False, "data_tests_full": True}


def test_the_command_passes_every_other_argument_to_dbt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[str, list[str], Path | None]] = []

    def fake_run(command: str, args: list[str], log_dir: Path | None = None) -> Any:
        calls.append((command, args, log_dir))
        return transform.Outcome(command, 1, tmp_path / "dbt.log", 1.0, 0.5)

    monkeypatch.setattr(transform, "run_dbt", fake_run)
    assert main(["transform", "--full-refresh", "--select", "fct_email_events+"]) == 1
    assert calls[-1] == (
        "build",
        ["--full-refresh", "--select", "fct_email_events+", "--exclude-resource-type", "unit_test"],
        None,
    )
    argv = ["transform", "--data-tests-full", "--vars", "{a: 1}", "--log-dir", str(tmp_path)]
    assert main(argv) == 1
    command, args, log_dir = calls[-1]
    assert command == "test" and log_dir == tmp_path
    assert args[:2] == ["--exclude-resource-type", "unit_test"]
    assert args[2] == "--vars" and json.loads(args[3]) == {"a": 1, "data_tests_full": True}


def test_the_daily_build_leaves_unit_tests_out_unless_the_arguments_choose(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DBT_RESOURCE_TYPES", "DBT_EXCLUDE_RESOURCE_TYPES"):
        monkeypatch.delenv(name, raising=False)
    out = ["--exclude-resource-type", "unit_test"]
    chosen = [
        ["--select", "test_type:unit"],
        ["-s", "fct_email_events", "resource_type:unit_test"],
        ["--select=unit_test:fct_email_events:some_case"],
        ["--exclude", "test_type:unit"],
        ["--resource-type", "model"],
        ["--exclude-resource-types=seed"],
        ["--selector", "nightly"],
    ]
    for args in chosen:
        assert transform.chooses_unit_tests(args), args
    # a var or a model whose name holds "unit" is not a choice of resource types
    for args in ([], ["--vars", "{unit: 1}"], ["-s", "fct_email_events+", "--target", "unit"]):
        assert not transform.chooses_unit_tests(args), args
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "seed")
    assert transform.chooses_unit_tests([])
    monkeypatch.delenv("DBT_EXCLUDE_RESOURCE_TYPES")

    calls: list[list[str]] = []

    def fake_run(command: str, args: list[str], log_dir: Path | None = None) -> Any:
        calls.append(args)
        return transform.Outcome(command, 0, tmp_path / "dbt.log", 1.0, 0.5, results=[])

    monkeypatch.setattr(transform, "run_dbt", fake_run)
    assert transform.transform(["--full-refresh"]) == 0
    assert calls[-1] == ["--full-refresh", *out]
    assert capsys.readouterr().out.startswith(
        "dbt build: no node ran; unit tests excluded (make test runs them) in 1.0 s"
    )
    assert transform.transform(["--select", "test_type:unit"]) == 0
    assert calls[-1] == ["--select", "test_type:unit"]
    assert "excluded" not in capsys.readouterr().out


def result(unique_id: str, status: str, message: str | None = None) -> dict[str, Any]:
    return {"unique_id": unique_id, "status": status, "message": message, "relation_name": None}


def test_the_summary_counts_by_kind_and_prints_failures_in_full_and_warnings_briefly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "build-20261130T000000.000000Z" / "dbt.log"
    log.parent.mkdir()
    log.write_text("dbt's lines\n")
    compiled = tmp_path / "compiled" / "not_null_x.sql"
    outcome = transform.Outcome(
        "build",
        1,
        log,
        12.34,
        9.87,
        node_seconds=10.0,
        results=[
            result("model.p.stg_a", "success", "OK"),
            result("model.p.fct_b", "error", "Runtime Error in model fct_b\n  boom"),
            result("test.p.not_null_x.abc123", "fail", "Got 2 results"),
            result("test.p.unique_x.def456", "warn", "Got 1 result, configured to warn"),
            result("test.p.unique_y.0", "skipped"),
            result("unit_test.p.fct_b.test_one", "pass"),
            result("seed.p.map", "success", "INSERT 3"),
        ],
        warnings=["Nothing to do.\n Try again"],
        manifest={
            "test.p.not_null_x.abc123": {"name": "not_null_x", "compiled_path": str(compiled)}
        },
    )
    transform.print_summary(outcome)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "dbt build: 1 seed (1 success), 2 models (1 error, 1 success), "
        "3 data tests (1 fail, 1 skipped, 1 warn), 1 unit test (1 pass) "
        "in 12.3 s (10.0 s running nodes, 9.9 CPU s): FAILED, exit code 1"
    )
    assert lines[1:] == [
        "ERROR model fct_b",
        "    Runtime Error in model fct_b",
        "      boom",
        "FAIL test not_null_x",
        "    Got 2 results",
        f"    compiled SQL (its query returns the failing rows): {compiled}",
        "2 warning(s):",
        "  WARN test unique_x: Got 1 result, configured to warn",
        "  Nothing to do. Try again",
        f"dbt's full log: {log}",
    ]


def test_the_newest_runs_logs_are_kept(tmp_path: Path) -> None:
    kinds = ["test", "build"] * 4  # by time, whichever the command
    names = [f"{kind}-20261130T0{hour}0000.000000Z" for hour, kind in enumerate(kinds)]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "dbt.log").write_text("")
    (tmp_path / "dbt.log").write_text("dbt's own, from a plain dbt run")
    transform._prune(tmp_path, keep=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["dbt.log", *names[-3:]])
