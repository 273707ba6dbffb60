"""The benchmark's figures: one `Figure` per metric and world size, the printed table, the results
file (a contract other tools read: columns `metric,events,value,unit,ratio`, `ratio` empty where
none applies; bench/README.md lists the metrics) and the chart of cost against size."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("metric", "events", "value", "unit", "ratio")
PROVIDERS = ("apsis_one", "maxemail", "netcore", "benchmark")
# The metrics every run writes for every size (issue 13, point 4); more may follow them.
REQUIRED = (
    "world.build_seconds",
    "world.peak_rss_mb",
    *(
        f"{metric}.{provider}"
        for provider in PROVIDERS
        for metric in (
            "load",
            "load_cpu",
            "load_rss",
            "load_wait",
            "load_rows_per_cpu_s",
            "raw_size",
        )
    ),
    "dbt.fixed_seconds",
    "dbt.full_cpu_seconds",
    "dbt.incremental_cpu_seconds",
    "dbt.incremental_wall_seconds",
    "truth.equal",
)


@dataclass(frozen=True)
class Figure:
    metric: str
    events: int
    value: float
    unit: str
    ratio: float | None = None


def _number(value: float) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def write_csv(figures: Sequence[Figure], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for fig in figures:
            ratio = "" if fig.ratio is None else _number(fig.ratio)
            writer.writerow([fig.metric, fig.events, _number(fig.value), fig.unit, ratio])


def read_csv(path: Path) -> list[Figure]:
    with open(path, newline="") as f:
        return [
            Figure(
                row["metric"],
                int(row["events"]),
                float(row["value"]),
                row["unit"],
                float(row["ratio"]) if row["ratio"] else None,
            )
            for row in csv.DictReader(f)
        ]


def table(figures: Sequence[Figure]) -> str:
    """The figures as one text table: a row per metric, a value (and ratio) column per size."""
    sizes = sorted({f.events for f in figures})
    metrics = list(dict.fromkeys(f.metric for f in figures))
    by_key = {(f.metric, f.events): f for f in figures}
    width = max(len(m) for m in metrics) + 2
    head = f"{'metric':<{width}}{'unit':<10}" + "".join(f"{f'{n:,} events':>28}" for n in sizes)
    lines = [head, "-" * len(head)]
    for metric in metrics:
        unit = next(f.unit for f in figures if f.metric == metric)
        cells = []
        for n in sizes:
            fig = by_key.get((metric, n))
            if fig is None:
                cells.append(f"{'':>28}")
                continue
            ratio = "" if fig.ratio is None else f" (x{fig.ratio:.2f})"
            cells.append(f"{_number(round(fig.value, 3)) + ratio:>28}")
        lines.append(f"{metric:<{width}}{unit:<10}" + "".join(cells))
    return "\n".join(lines)


CHART_METRICS = (
    ("world.build_seconds", "world build (s)"),
    ("load.apsis_one", "APSIS One load (s)"),
    ("load.maxemail", "Maxemail load (s)"),
    ("load.netcore", "Netcore load (s)"),
    ("load.benchmark", "Benchmark load (s)"),
    ("dbt.full_wall_seconds", "dbt full build (s)"),
    ("dbt.incremental_wall_seconds", "dbt incremental build (s)"),
)


def chart(figures: Sequence[Figure], path: Path) -> None:
    """A PNG of wall seconds (left) and peak memory (right) against the world's size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted({f.events for f in figures})
    by_key = {(f.metric, f.events): f.value for f in figures}
    fig, (cost, memory) = plt.subplots(1, 2, figsize=(13, 5))
    for metric, label in CHART_METRICS:
        points = [(n / 1e6, by_key[(metric, n)]) for n in sizes if (metric, n) in by_key]
        if points:
            cost.plot(*zip(*points, strict=True), marker="o", label=label)
    memory_metrics = sorted({f.metric for f in figures if f.unit == "MB" and "rss" in f.metric})
    for metric in ["world.peak_rss_mb", *[m for m in memory_metrics if m != "world.peak_rss_mb"]]:
        points = [(n / 1e6, by_key[(metric, n)]) for n in sizes if (metric, n) in by_key]
        if points:
            memory.plot(*zip(*points, strict=True), marker="o", label=metric)
    cost.set(xlabel="APSIS One events (millions)", ylabel="wall seconds", title="cost vs size")
    memory.set(xlabel="APSIS One events (millions)", ylabel="peak RSS (MB)", title="memory")
    for axes in (cost, memory):
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
