"""`python -m pipelines transform [--data-tests-full] [DBT_ARGS ...]`: run dbt on the warehouse and
print a short summary (run by `make transform`, `make test-data-full` and `make demo`).

dbt runs as a subprocess in dbt_project/ (`dbt build`, or `dbt test` over all history with
`--data-tests-full`). Its full debug log goes to its own file, one directory per run
(`--log-path <log dir>/<command>-<UTC time>`, the file `dbt.log` in it; log dir: --log-dir, else
$DBT_LOG_PATH, else dbt_project/logs); the console gets only dbt's warn- and error-level events,
as JSON (`--log-format json --log-level warn`). The summary reads dbt's artifacts: the counts by
status, seconds, messages and failures from target/run_results.json, the compiled SQL paths from
target/manifest.json; warnings that belong to no node (deprecations, "nothing to do") and errors
before any node ran come from the JSON events. The exit code is dbt's. DECISIONLOG.md
"`make transform` prints a summary".
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml  # type: ignore[import-untyped]

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
# the dbt var that makes data tests check all history (dbt_project.yml; issue 15)
FULL_VAR = "data_tests_full"
KEEP_LOGS = 30  # run directories kept in the log dir, newest first
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
KINDS = {
    "seed": "seeds",
    "model": "models",
    "snapshot": "snapshots",
    "test": "data tests",
    "unit_test": "unit tests",
}


@dataclass
class Outcome:
    """One dbt invocation: its exit code, artifacts and the events printed on its console."""

    command: str
    returncode: int
    log_file: Path
    seconds: float  # the whole invocation (parse, compile, run)
    cpu_seconds: float  # dbt's process
    node_seconds: float = 0.0  # run_results.json's elapsed_time: running the nodes
    results: list[dict[str, Any]] | None = None  # run_results.json's, None when not written
    warnings: list[str] = field(default_factory=list)  # events that belong to no node
    errors: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    target: Path = PROJECT_DIR / "target"


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


def _in_project(path: str) -> Path:
    return (PROJECT_DIR / path).resolve()


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
    log_root = log_dir or _in_project(os.environ.get("DBT_LOG_PATH") or "logs")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    run_logs = log_root / f"{command}-{stamp}"
    target = _in_project(
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
    print(f"running dbt {command}; its log: {_shown(run_logs / 'dbt.log')}", flush=True)
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


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _node(outcome: Outcome, result: dict[str, Any]) -> tuple[str, str, str | None]:
    """(kind, name, compiled SQL path) of a result."""
    unique_id = result["unique_id"]
    kind, _, rest = unique_id.partition(".")
    parts = rest.split(".")  # package, name[, hash]; a unit test's: package, model, name
    node = outcome.manifest.get(unique_id, {})
    name = f"{parts[1]}::{parts[2]}" if kind == "unit_test" else node.get("name", parts[1])
    # relative to the project when dbt's target path is (`target/compiled/...`)
    compiled = node.get("compiled_path")
    return kind.replace("_", " "), name, _shown(_in_project(compiled)) if compiled else None


def print_summary(outcome: Outcome, out: TextIO | None = None) -> None:
    """A few lines: counts by kind and status, seconds, every failure and error in full, the
    warnings one line each, and where dbt's full log is."""
    out = out or sys.stdout
    counts: dict[str, Counter[str]] = {}
    for result in outcome.results or []:
        kind = result["unique_id"].partition(".")[0]
        counts.setdefault(kind, Counter())[result["status"]] += 1
    parts = []
    for kind, label in KINDS.items():
        if kind in counts:
            statuses = ", ".join(f"{n} {s}" for s, n in sorted(counts[kind].items()))
            total = sum(counts[kind].values())
            parts.append(f"{total} {label if total > 1 else label[:-1]} ({statuses})")
    verdict = "ok" if outcome.returncode == 0 else f"FAILED, exit code {outcome.returncode}"
    what = ", ".join(parts) if parts else "no node ran"
    seconds = f"{outcome.seconds:.1f} s ({outcome.node_seconds:.1f} s running nodes, "
    seconds += f"{outcome.cpu_seconds:.1f} CPU s)"
    print(f"dbt {outcome.command}: {what} in {seconds}: {verdict}", file=out)
    problems = [r for r in outcome.results or [] if r["status"] in ("error", "fail")]
    for result in problems:
        kind, name, compiled = _node(outcome, result)
        print(f"{result['status'].upper()} {kind} {name}", file=out)
        for line in (result.get("message") or "(no message)").strip().splitlines():
            print(f"    {line}", file=out)
        if kind == "test" and result.get("relation_name"):
            print(f"    failing rows: select * from {result['relation_name']}", file=out)
        if compiled:
            rows = " (its query returns the failing rows)" if kind == "test" else ""
            print(f"    compiled SQL{rows}: {compiled}", file=out)
    for error in outcome.errors:
        print("ERROR " + error.strip().replace("\n", "\n    "), file=out)
    warned = [r for r in outcome.results or [] if r["status"] == "warn"]
    if warned or outcome.warnings:
        print(f"{len(warned) + len(outcome.warnings)} warning(s):", file=out)
        for result in warned:
            kind, name, _ = _node(outcome, result)
            print(f"  WARN {kind} {name}: {(result.get('message') or '').strip()[:160]}", file=out)
        for warning in outcome.warnings:
            print(f"  {' '.join(warning.split())[:400]}", file=out)
    if outcome.log_file.exists():
        print(f"dbt's full log: {_shown(outcome.log_file)}", file=out)
    else:
        print(
            "dbt wrote no log: it stopped before starting one (its error is above or on stderr)",
            file=out,
        )


def transform(args: list[str], data_tests_full: bool = False, log_dir: Path | None = None) -> int:
    """`dbt build <args>` (or, with `data_tests_full`, the data tests over all history), its
    summary printed; dbt's exit code."""
    command = "build"
    if data_tests_full:
        command = "test"
        args = with_vars([*args, "--exclude-resource-type", "unit_test"], {FULL_VAR: True})
    outcome = run_dbt(command, args, log_dir)
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
