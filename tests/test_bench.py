"""`make bench` end to end at a small size (`python -m bench --events 20000`, the command the
Makefile runs): it completes, writes the results file with the contract's columns and every
required metric (bench/README.md), and the marts equal the world's truth after both loads. No
figure is asserted beyond its presence and sign: speed is the benchmark's to print, not a test's."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from bench.results import COLUMNS, PROVIDERS, REQUIRED

# eight loads, three dbt builds and two truth comparisons: about 140 s on two cores
pytestmark = [pytest.mark.e2e, pytest.mark.cost(140)]
ROOT = Path(__file__).resolve().parent.parent
EVENTS = 20_000


def bench(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`python -m bench <args>` as the Makefile runs it, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_small_benchmark_completes_with_every_metric_and_marts_equal_truth(
    tmp_path: Path,
) -> None:
    result = bench("--events", str(EVENTS), "--out", str(tmp_path), timeout=1800)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    with open(tmp_path / "latest.csv", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    metrics = {row["metric"]: row for row in rows}
    assert len(metrics) == len(rows), "one row per metric and size"
    missing = [m for m in REQUIRED if m not in metrics]
    assert not missing, f"metrics missing from latest.csv: {missing}"
    assert {row["events"] for row in rows} == {str(EVENTS)}
    assert metrics["truth.equal"]["value"] == "1", result.stderr[-5000:]
    for provider in PROVIDERS:
        load = metrics[f"load.{provider}"]
        assert float(load["value"]) > 0 and float(load["ratio"]) > 0  # loader ÷ DuckDB
        assert 0 <= float(metrics[f"load_wait.{provider}"]["value"]) <= 1
        assert metrics[f"load_wait.{provider}"]["ratio"] == ""  # no ratio applies
        assert float(metrics[f"raw_size.{provider}"]["ratio"]) > 0
        assert int(float(metrics[f"load_rows.{provider}"]["value"])) > 0
    assert float(metrics["dbt.incremental_cpu_seconds"]["ratio"]) > 0  # ÷ the full build
    assert sum(1 for m in metrics if m.startswith("dbt.slowest.")) == 10
    # The printed table names every metric.
    for metric in REQUIRED:
        assert metric in result.stdout


@pytest.mark.cost(6)
def test_loads_only_for_some_providers_measure_those_loads_and_nothing_else(
    tmp_path: Path,
) -> None:
    result = bench(
        "--events", str(EVENTS), "--providers", "maxemail", "--out", str(tmp_path), timeout=900
    )
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    with open(tmp_path / "latest.csv", newline="") as f:
        metrics = {row["metric"]: row for row in csv.DictReader(f)}
    assert float(metrics["load.maxemail"]["ratio"]) > 0
    assert float(metrics["load_rows_per_cpu_s.maxemail"]["value"]) > 0
    loaded = {m.split(".", 1)[1] for m in metrics if m.startswith("load.")}
    assert loaded == {"maxemail"}
    assert not [m for m in metrics if m.startswith(("dbt.", "truth."))]
    assert "loads only" in result.stdout
    bad = bench("--providers", "mailchimp", "--out", str(tmp_path), timeout=60)
    assert bad.returncode == 2 and "unknown ['mailchimp']" in bad.stderr
