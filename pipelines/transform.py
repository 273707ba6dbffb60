"""`python -m pipelines transform [--data-tests-full] [DBT_ARGS ...]`: run dbt on the warehouse and
print a short summary (run by `make transform`, `make test-data-full` and `make demo`).

dbt runs as a subprocess in dbt_project/ (`dbt build`, or `dbt test` over all history with
`--data-tests-full`). Its full debug log goes to its own file, one directory per run
(`--log-path <log dir>/<command>-<UTC time>`, the file `dbt.log` in it; log dir: --log-dir, else
$DBT_LOG_PATH, else dbt_project/logs); the console gets only dbt's warn- and error-level events,
as JSON (`--log-format json --log-level warn`). The summary reads dbt's artifacts: the counts by
status, seconds, messages and failures from target/run_results.json, the compiled SQL paths from
target/manifest.json; warnings that belong to no node (deprecations, "nothing to do") and errors
before any node ran come from the JSON events (printed by pipelines/dbt_summary.py). The exit
code is dbt's. DECISIONLOG.md "`make transform` prints a summary".

The daily build leaves dbt's unit tests out (`--exclude-resource-type unit_test`: they test the
SQL against fixtures, not the data; `make test` runs them) unless the arguments choose resource
types or select unit tests themselves; the summary line says so.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from pipelines.dbt_summary import PROJECT_DIR, Outcome, in_project, print_summary, shown

# the dbt var that makes data tests check all history (dbt_project.yml; issue 15)
FULL_VAR = "data_tests_full"
KEEP_LOGS = 30  # run directories kept in the log dir, newest first
UNIT_TESTS_OUT = ["--exclude-resource-type", "unit_test"]
# arguments with which the user decides about unit tests (chooses_unit_tests)
RESOURCE_FLAGS = {
    "--resource-type",
    "--resource-types",
    "--exclude-resource-type",
    "--exclude-resource-types",
    "--selector",
}
SELECT_FLAGS = {"-s", "--select", "-m", "--models", "--model", "--exclude"}
# per-node events: their node is reported from run_results.json, not again from the event (a
# warning a node's own Jinja raises, `exceptions.warn`, is not one of them: it is listed)
NODE_EVENTS = {
    "LogTestResult",
    "LogNodeResult",
    "LogModelResult",
    "LogSnapshotResult",
    "LogSeedResult",
    "LogBatchResult",
    "LogFunctionResult",
    "LogFreshnessResult",
    "LogSkipBecauseError",
    "LogCancelLine",
    "GenericExceptionOnRun",
    "RunResultWarning",
    "RunResultWarningMessage",
    "RunResultFailure",
    "RunResultError",
    "RunResultErrorNoMessage",
    "DeprecationsSummary",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _flag(args: list[str], name: str) -> str | None:
    """The value of `--name value` or `--name=value` in a dbt command line (the last one)."""
    value = None
    for index, word in enumerate(args):
        if word == name and index + 1 < len(args):
            value = args[index + 1]
        elif word.startswith(f"{name}="):
            value = word.removeprefix(f"{name}=")
    return value


def with_vars(args: list[str], extra: dict[str, Any]) -> list[str]:
    """`args` with `extra` merged into its `--vars` (added when it has none)."""
    text = _flag(args, "--vars")
    merged = {**(yaml.safe_load(text) or {} if text else {}), **extra}
    rest: list[str] = []
    skip = False
    for word in args:
        if skip:
            skip = False
        elif word == "--vars":
            skip = True
        elif not word.startswith("--vars="):
            rest.append(word)
    return [*rest, "--vars", json.dumps(merged)]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _prune(log_dir: Path, keep: int = KEEP_LOGS) -> None:
    runs = sorted(
        (p for p in log_dir.glob("*-*T*Z") if (p / "dbt.log").exists()),
        key=lambda p: p.name.split("-", 1)[1],
    )
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def run_dbt(command: str, args: list[str], log_dir: Path | None = None) -> Outcome:
    """Run `dbt <command> <args>` in dbt_project/ with its log in a file; read what it left."""
    log_root = log_dir or in_project(os.environ.get("DBT_LOG_PATH") or "logs")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    run_logs = log_root / f"{command}-{stamp}"
    target = in_project(
        _flag(args, "--target-path") or os.environ.get("DBT_TARGET_PATH") or "target"
    )
    dbt = Path(sys.executable).with_name("dbt")
    console = ["--log-format", "json", "--log-level", "warn"]
    logfile = [
        "--log-path",
        str(run_logs),
        "--log-level-file",
        "debug",
        "--log-format-file",
        "debug",
    ]
    # one plain-text file per run, never rolled over
    logfile += ["--log-file-max-bytes", "0", "--no-use-colors", "--no-use-colors-file"]
    # a long build prints nothing else until it ends: its log can be followed meanwhile
    print(f"running dbt {command}; its log: {shown(run_logs / 'dbt.log')}", flush=True)
    started = time.monotonic()
    wall_start = time.time()
    cpu_before = _children_cpu()
    proc = subprocess.run(
        [str(dbt), command, *args, *console, *logfile],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    outcome = Outcome(
        command,
        proc.returncode,
        run_logs / "dbt.log",
        time.monotonic() - started,
        _children_cpu() - cpu_before,
        target=target,
    )
    for line in proc.stdout.splitlines():
        try:
            event = json.loads(line)
            info = event["info"]
        except (ValueError, KeyError, TypeError):
            # not one of dbt's events: a library writing to stdout, or dbt before its logging
            # starts (a bad command line), which is an error when dbt failed
            text = ANSI.sub("", line).strip()
            if text:
                (outcome.errors if proc.returncode else outcome.warnings).append(text)
            continue
        if info.get("name") in NODE_EVENTS:
            continue
        (outcome.errors if info.get("level") == "error" else outcome.warnings).append(
            info.get("msg") or ""
        )
    results_path = target / "run_results.json"
    if results_path.exists() and results_path.stat().st_mtime >= wall_start:
        run_results = json.loads(results_path.read_text(encoding="utf-8"))
        outcome.results = run_results["results"]
        outcome.node_seconds = float(run_results.get("elapsed_time") or 0.0)
    manifest = target / "manifest.json"
    reported = [r for r in outcome.results or [] if r["status"] in ("error", "fail", "warn")]
    if reported and manifest.exists():
        document = json.loads(manifest.read_text(encoding="utf-8"))
        outcome.manifest = {**document.get("nodes", {}), **document.get("unit_tests", {})}
    _prune(log_root)
    return outcome


def chooses_unit_tests(args: list[str]) -> bool:
    """Whether dbt arguments decide about unit tests themselves: resource-type flags, a named
    selector, or a --select/--exclude naming unit tests (`test_type:unit`, `unit_test:...`)."""
    if any(os.environ.get(f"DBT_{name}") for name in ("RESOURCE_TYPES", "EXCLUDE_RESOURCE_TYPES")):
        return True
    selecting = False
    for word in args:
        flag = word.split("=", 1)[0]
        if flag in RESOURCE_FLAGS:
            return True
        if word.startswith("-"):
            selecting = flag in SELECT_FLAGS
            word = word.partition("=")[2] if selecting and "=" in word else ""
        if selecting and "unit" in word:
            return True
    return False


def transform(args: list[str], data_tests_full: bool = False, log_dir: Path | None = None) -> int:
    """`dbt build <args>` without unit tests unless `args` choose (or, with `data_tests_full`,
    the data tests over all history), its summary printed; dbt's exit code."""
    command = "build"
    excluded = [] if chooses_unit_tests(args) else ["unit tests"]
    if data_tests_full:
        command, excluded = "test", ["unit tests"]
        args = with_vars([*args, *UNIT_TESTS_OUT], {FULL_VAR: True})
    elif excluded:
        args = [*args, *UNIT_TESTS_OUT]
    outcome = run_dbt(command, args, log_dir)
    outcome.excluded = excluded
    print_summary(outcome)
    return outcome.returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines transform",
        description="dbt build on the warehouse with a short summary; other arguments go to dbt",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--data-tests-full",
        action="store_true",
        help=f"run only the data tests, over all history (`dbt test --vars '{{{FULL_VAR}: true}}'`)",
    )
    parser.add_argument(
        "--log-dir",
        type=Path,
        help="where dbt's logs go (default: $DBT_LOG_PATH "
        "or dbt_project/logs), one directory per run",
    )
    options, dbt_args = parser.parse_known_args(argv)
    return transform(dbt_args, options.data_tests_full, options.log_dir)
