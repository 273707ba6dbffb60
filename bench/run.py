"""One benchmark run over a world of N APSIS One events: the sandbox, each provider's load next
to DuckDB's own, dbt's full build, a clock advance of about 1% new events, the incremental loads
and build, dbt's fixed cost, and the marts against the world's truth after both loads. Returns
the figures (bench.results.Figure); bench/README.md defines each metric."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from bench import dbt_runs, loads, marts_truth
from bench.results import PROVIDERS, Figure
from bench.server import SandboxProcess, progress
from sandbox.config import DEFAULT_SIZE

NEW_EVENTS_SHARE = 0.01  # the clock advance adds about this share of events


def advance_hours(now: str, share: float = NEW_EVENTS_SHARE) -> float:
    """Hours that add about `share` of the events so far, at the world's mean daily rate since
    its start (events so far / days so far)."""
    elapsed = datetime.fromisoformat(now.replace("Z", "+00:00")) - DEFAULT_SIZE.start
    return round(share * elapsed.total_seconds() / 3600, 2)


def apsis_events(warehouse: Path) -> int:
    """Rows of the loader's APSIS One event table."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select count(*) from raw_apsis_one.email_events").fetchone()
    return int(row[0]) if row else 0


def raw_rows(warehouse: Path) -> int:
    """Rows of every provider's raw tables (dlt's own `_dlt_*` tables left out)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like 'raw\\_%' escape '\\' "
            "and table_name not like '\\_dlt%' escape '\\'"
        ).fetchall()
        total = 0
        for schema, name in tables:
            row = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            total += int(row[0]) if row else 0
    return total


def first_loads(
    sandbox: SandboxProcess, warehouse: Path, work: Path, n: int, providers: tuple[str, ...]
) -> list[Figure]:
    figures: list[Figure] = []
    for provider in providers:
        c = loads.compare(sandbox, provider, warehouse, work)
        loader, duck = c.run.loader, c.duckdb
        figures += [
            Figure(f"load.{provider}", n, loader.wall, "s", loader.wall / duck.wall),
            Figure(f"load_cpu.{provider}", n, loader.cpu, "cpu_s", loader.cpu / duck.cpu),
            Figure(f"load_rss.{provider}", n, loader.rss_mb, "MB", loader.rss_mb / duck.rss_mb),
            Figure(f"load_wait.{provider}", n, c.run.wait_share, "share"),
            Figure(f"load_rows.{provider}", n, c.rows, "rows"),
            Figure(
                f"load_rows_per_s.{provider}",
                n,
                c.rows / loader.wall,
                "rows/s",
                (c.rows / loader.wall) / (c.rows / duck.wall),
            ),
            Figure(
                f"load_rows_per_cpu_s.{provider}",
                n,
                c.rows / loader.cpu,
                "rows/cpu_s",
                (c.rows / loader.cpu) / (c.rows / duck.cpu),
            ),
            Figure(f"duckdb_load.{provider}", n, duck.wall, "s"),
            Figure(f"duckdb_load_cpu.{provider}", n, duck.cpu, "cpu_s"),
            Figure(f"raw_size.{provider}", n, c.raw_mb, "MB", c.raw_mb / c.duckdb_mb),
            Figure(f"raw_rows.{provider}", n, c.raw_rows, "rows"),
        ]
        progress(
            f"{provider}: loader {loader.wall:.1f} s, DuckDB {duck.wall:.1f} s, "
            f"wait share {c.run.wait_share:.0%}"
        )
    return figures


def bench_size(
    n: int, work: Path, providers: tuple[str, ...] = PROVIDERS, loads_only: bool = False
) -> list[Figure]:
    """The whole path for a world of about `n` APSIS One events; scratch files under `work`.
    `loads_only`: the first loads of `providers` side by side with DuckDB's, no dbt and no truth
    (the marts of providers not loaded could not equal the truth)."""
    work.mkdir(parents=True, exist_ok=True)
    progress(f"{n:,} events: building the sandbox world")
    sandbox = SandboxProcess(n, work / "logs" / "sandbox.log")
    try:
        progress(
            f"world of {sandbox.apsis_events:,} APSIS One events built in "
            f"{sandbox.build_seconds:.1f} s, peak {sandbox.peak_rss_mb:.0f} MB"
        )
        figures = [
            Figure("world.build_seconds", n, sandbox.build_seconds, "s"),
            Figure("world.peak_rss_mb", n, sandbox.peak_rss_mb, "MB"),
            Figure("world.apsis_events", n, sandbox.apsis_events, "events"),
        ]
        warehouse = work / "warehouse.duckdb"
        first_read = sandbox.now()  # the clock of the first loads (it moves only when advanced)
        figures += first_loads(sandbox, warehouse, work, n, providers)
        if not loads_only:
            figures += dbt_and_increment(sandbox, warehouse, work, n, first_read)
    finally:
        sandbox.stop()
    return figures


def check_truth(
    warehouse: Path,
    sandbox: SandboxProcess,
    now: str,
    work: Path,
    step: str,
    reads: tuple[str, ...] = (),
) -> list[str]:
    """The marts against the truth of loads at the clocks `reads` and `now`; the differences (if
    any) listed in logs/truth-<step>.txt."""
    problems = marts_truth.differences(str(warehouse), sandbox.truth, now, reads=reads)
    (work / "logs" / f"truth-{step}.txt").write_text("".join(f"{p}\n" for p in problems))
    progress(
        f"truth after the {step} load: "
        + (f"{len(problems)} differences (logs/truth-{step}.txt)" if problems else "marts equal")
    )
    return problems


def advance_and_load(
    sandbox: SandboxProcess, warehouse: Path, work: Path, n: int, step: str
) -> list[Figure]:
    """The clock moved on by about 1% of the events so far, every provider loaded again
    (incrementally); the loads' figures."""
    hours = advance_hours(sandbox.now())
    progress(f"advancing the clock {hours} h (about 1% new events); loading again ({step})")
    before, events_before = raw_rows(warehouse), apsis_events(warehouse)
    sandbox.advance(hours)
    wall, figures = 0.0, []
    for provider in PROVIDERS:
        run = loads.project_load(sandbox, provider, warehouse, work, step)
        wall += run.loader.wall
        figures.append(Figure(f"load_{step}.{provider}", n, run.loader.wall, "s"))
    after, events_after = raw_rows(warehouse), apsis_events(warehouse)
    new_events = (events_after - events_before) / max(events_before, 1)
    return [
        *figures,
        Figure(f"load.{step}_wall_seconds", n, wall, "s"),
        Figure(f"advance.{step}.hours", n, hours, "h"),
        Figure(f"advance.{step}.new_apsis_events_share", n, new_events, "share"),
        Figure(f"advance.{step}.new_rows_share", n, (after - before) / max(before, 1), "share"),
    ]


def dbt_and_increment(
    sandbox: SandboxProcess, warehouse: Path, work: Path, n: int, first_read: str
) -> list[Figure]:
    """A day's loads after the history's (so the newest load is a day's, as on any day after
    the first), the full dbt build, another day's loads and the daily (incremental) build; the
    marts are compared with the truth after each build, with the truth of the reads so far.

    The daily build runs with `event_lookback_hours: 0` (the newest load already built and the
    loads after it): the lookback is wall time on dlt's load ids, and the bench's loads follow
    each other by minutes, so the default 72 h would re-read the history's load."""
    figures = advance_and_load(sandbox, warehouse, work, n, "before_full")
    second_read = sandbox.now()
    progress("dbt: the trivial project (fixed cost)")
    trivial = dbt_runs.trivial_build(work)
    now = sandbox.now()
    progress("dbt: full build")
    full = dbt_runs.build(warehouse, work, "full", marts_truth.report_vars(now))
    progress(f"dbt: full build {full.wall:.1f} s; comparing the marts with the truth")
    problems = check_truth(warehouse, sandbox, now, work, "first", (first_read,))
    figures += [
        Figure("dbt.fixed_seconds", n, trivial.wall, "s"),
        Figure("dbt.fixed_cpu_seconds", n, trivial.cpu, "cpu_s"),
        Figure("dbt.full_wall_seconds", n, full.wall, "s", full.wall / trivial.wall),
        Figure("dbt.full_cpu_seconds", n, full.cpu, "cpu_s", full.cpu / trivial.cpu),
    ]
    figures += [
        Figure(f"dbt.slowest.{rank:02d}.{node.replace('.email_analytics.', '.')}", n, seconds, "s")
        for rank, (node, seconds) in enumerate(dbt_runs.slowest_nodes(work, "full"), 1)
    ]
    figures += advance_and_load(sandbox, warehouse, work, n, "incremental")
    now = sandbox.now()
    progress("dbt: daily (incremental) build")
    inc = dbt_runs.build(warehouse, work, "incremental", marts_truth.report_vars(now, 0))
    progress(f"dbt: daily build {inc.wall:.1f} s; comparing the marts with the truth")
    reads = (first_read, second_read)
    problems += check_truth(warehouse, sandbox, now, work, "incremental", reads)
    figures += [
        Figure("dbt.incremental_wall_seconds", n, inc.wall, "s", inc.wall / trivial.wall),
        Figure("dbt.incremental_cpu_seconds", n, inc.cpu, "cpu_s", inc.cpu / full.cpu),
    ]
    figures += [
        Figure(
            f"dbt.incremental_slowest.{rank:02d}.{node.replace('.email_analytics.', '.')}",
            n,
            seconds,
            "s",
        )
        for rank, (node, seconds) in enumerate(dbt_runs.slowest_nodes(work, "incremental"), 1)
    ]
    progress("dbt: the project's fixed cost (the same build on the warehouse's tables, empty)")
    empty = dbt_runs.empty_build(warehouse, work, marts_truth.report_vars(now, 0))
    progress(f"dbt: the project on an empty warehouse {empty.wall:.1f} s")
    figures += [
        Figure("dbt.project_fixed_wall_seconds", n, empty.wall, "s", empty.wall / trivial.wall),
        Figure("dbt.project_fixed_cpu_seconds", n, empty.cpu, "cpu_s", empty.cpu / full.cpu),
    ]
    size = loads.file_mb(warehouse)
    figures += [
        Figure("duckdb.file_mb", n, size, "MB"),
        Figure("duckdb.mb_per_million_events", n, size / (sandbox.apsis_events / 1e6), "MB"),
        Figure("truth.equal", n, 0.0 if problems else 1.0, "bool"),
        Figure("truth.differences", n, len(problems), "count"),
    ]
    return figures
