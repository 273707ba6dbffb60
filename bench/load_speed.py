"""Benchmark: the loader's speed against DuckDB's own `read_csv` on the same file (`make bench`).

Writes one APSIS-shaped gzip CSV export (`bench.streaming.write_export`), then loads it three ways
in the same run, each into a fresh DuckDB file:

- duckdb: `create table ... as select * from read_csv(...)`, every column text except the epoch-ms
  ones (the same types the loader reads): the practical limit of loading this file.
- merge: the project's loader path: a dlt pipeline from `make_pipeline` running a resource that
  yields `iter_csv_tables` batches (through `_require_identity`) with the real `email_events`
  hints (merge on ROW_IDENTITY), written as parquet.
- append: the same with write_disposition append, to show what the merge costs.

Prints rows, seconds and rows/s of each (best of `--repeat`), the dlt step times and the ratios,
and exits 1 when merge/duckdb exceeds `--max-ratio`.

Measured here (1,000,000 rows, 32.9 MB gzip, 2 CPUs, shared machine; DuckDB 2.0, dlt 1.31):
duckdb 1.6-2.3 s (~550k rows/s); append 2.9-3.4 s (~320k rows/s: extract 1.6, load 1.5);
merge 4.7-5.4 s (~200k rows/s: extract 1.7, load 3.5, the staging table and merge SQL).
Best of 3: merge/duckdb 2.8-3.1, append/duckdb ~1.85, merge/append ~1.6; single runs put
merge/duckdb between 2.2 and 3.4. The default `--max-ratio` 6 leaves about 2x headroom for a
noisy machine and still fails a loader that falls back to per-row work (yielding dicts
instead of Arrow tables measured 12x).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dlt
import duckdb
import pyarrow as pa

from bench.streaming import write_export
from pipelines.apsis_one import email_events
from pipelines.apsis_one.rows import require_identity
from pipelines.apsis_one.settings import COLUMN_TYPES, ROW_IDENTITY, SOURCE_NAME
from pipelines.common.files import iter_csv_tables, snake_versioned_header
from pipelines.common.warehouse import make_pipeline

DUCKDB_TYPES = {pa.int64(): "BIGINT", pa.string(): "VARCHAR"}


@dataclass
class Result:
    rows: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def load_duckdb(path: str, database: str) -> Result:
    """DuckDB alone: one `create table as select * from read_csv(...)` into a fresh file."""
    types = ", ".join(f"'{name}': '{DUCKDB_TYPES[t]}'" for name, t in COLUMN_TYPES.items())
    quoted = path.replace("'", "''")
    started = time.perf_counter()
    con = duckdb.connect(database)
    try:
        con.execute(
            "create table email_events as select * from "
            f"read_csv('{quoted}', header = true, all_varchar = true, types = {{{types}}})"
        )
        row = con.execute("select count(*) from email_events").fetchone()
    finally:
        con.close()  # the checkpoint to disk is part of the load
    return Result(int(row[0]) if row else 0, time.perf_counter() - started)


def bench_resource(path: str, write_disposition: str | None = None) -> Any:
    """A resource over the file with the real `email_events` hints (optionally another
    write disposition); fails if its table schema drifts from the real resource's."""

    def tables() -> Iterator[pa.Table]:
        what = f"bench export {os.path.basename(path)}"
        rows = 0
        for table in iter_csv_tables(
            path, column_types=COLUMN_TYPES, rename=snake_versioned_header
        ):
            table = require_identity(table, what, rows)
            rows += table.num_rows
            yield table

    resource = dlt.resource(
        tables(),
        name=email_events.name,
        write_disposition=email_events.write_disposition,
        primary_key=ROW_IDENTITY,
        columns=copy.deepcopy(email_events.columns),
    )
    if resource.compute_table_schema() != email_events.compute_table_schema():
        raise SystemExit("bench resource hints differ from pipelines.apsis_one.email_events")
    if write_disposition:
        resource.apply_hints(write_disposition=write_disposition)  # type: ignore[arg-type]
    return resource


def load_dlt(path: str, database: str, pipelines_dir: str, write_disposition: str | None) -> Result:
    """The loader path: the project's pipeline, parquet files, into a fresh DuckDB file."""
    pipeline = make_pipeline(SOURCE_NAME, database, pipelines_dir)
    resource = bench_resource(path, write_disposition)
    started = time.perf_counter()
    pipeline.run(resource, loader_file_format="parquet")
    seconds = time.perf_counter() - started
    steps: dict[str, float] = {}
    if pipeline.last_trace:
        for step in pipeline.last_trace.steps:
            if (
                step.step in ("extract", "normalize", "load")
                and step.started_at
                and step.finished_at
            ):
                steps[step.step] = (step.finished_at - step.started_at).total_seconds()
    con = duckdb.connect(database, read_only=True)
    try:
        row = con.execute(f"select count(*) from raw_{SOURCE_NAME}.email_events").fetchone()
    finally:
        con.close()
    return Result(int(row[0]) if row else 0, seconds, steps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the export file")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each method; best is kept")
    parser.add_argument(
        "--max-ratio", type=float, default=6.0, help="fail above this merge/duckdb time ratio"
    )
    args = parser.parse_args()
    # The yardstick is DuckDB, so the loader loads into DuckDB whatever WAREHOUSE says; no
    # telemetry traffic in the timings.
    os.environ["WAREHOUSE"] = "duckdb"
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        path = os.path.join(tmp, "export.csv.gz")
        started = time.perf_counter()
        size = write_export(path, args.rows)
        print(
            f"wrote {args.rows:,} rows, {size / 1e6:.1f} MB gzip "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        methods = {
            "duckdb": lambda db, _: load_duckdb(path, db),
            "merge": lambda db, work: load_dlt(path, db, work, None),
            "append": lambda db, work: load_dlt(path, db, work, "append"),
        }
        results: dict[str, Result] = {}
        for attempt in range(args.repeat):
            for name, run in methods.items():
                work = os.path.join(tmp, f"{name}-{attempt}")
                os.makedirs(work)
                result = run(os.path.join(work, "warehouse.duckdb"), os.path.join(work, "dlt"))
                print(f"  {name:<7} run {attempt + 1}: {result.seconds:.2f} s", flush=True)
                if name not in results or result.seconds < results[name].seconds:
                    results[name] = result

    print()
    print(f"{'method':<8}{'rows':>12}{'seconds':>10}{'rows/s':>12}   dlt steps (s)")
    for name, r in results.items():
        steps = "  ".join(f"{step} {secs:.2f}" for step, secs in r.steps.items())
        print(f"{name:<8}{r.rows:>12,}{r.seconds:>10.2f}{r.rate:>12,.0f}   {steps}")
    base = results["duckdb"].seconds
    merge = results["merge"].seconds / base
    append = results["append"].seconds / base
    print()
    print(
        f"loader/duckdb time: merge {merge:.2f} (target <= {args.max_ratio}), "
        f"append {append:.2f}; merge/append {results['merge'].seconds / results['append'].seconds:.2f}"
    )
    wrong = {name: r.rows for name, r in results.items() if r.rows != args.rows}
    if wrong:
        print(f"FAIL: expected {args.rows:,} rows in every table, got {wrong}")
        return 1
    if merge > args.max_ratio:
        print("FAIL: the merge load is too slow against DuckDB's own read_csv")
        return 1
    print("OK: the merge load is within the ratio of DuckDB's own read_csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
