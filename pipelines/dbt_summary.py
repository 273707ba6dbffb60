"""The short summary of a dbt run that `python -m pipelines transform` prints (pipelines/transform.py
runs dbt): counts by kind and status, seconds, every failure in full, warnings one line each, what
was left out, where dbt's log is. Read from dbt's artifacts, not its console (DECISIONLOG.md
"`make transform` prints a summary")."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
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
    # what the command left out on purpose ("unit tests"), said on the summary line
    excluded: list[str] = field(default_factory=list)


def in_project(path: str) -> Path:
    return (PROJECT_DIR / path).resolve()


def shown(path: Path) -> str:
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
    return kind.replace("_", " "), name, shown(in_project(compiled)) if compiled else None


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
    if outcome.excluded:  # e.g. "; unit tests excluded (make test runs them)"
        what += f"; {' and '.join(outcome.excluded)} excluded (make test runs them)"
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
        print(f"dbt's full log: {shown(outcome.log_file)}", file=out)
    else:
        print(
            "dbt wrote no log: it stopped before starting one (its error is above or on stderr)",
            file=out,
        )
