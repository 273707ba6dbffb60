"""Benchmark: the export reader's memory stays flat as the file grows (`make bench`).

Writes APSIS-shaped gzip CSV exports of two sizes (1x and 8x rows), then reads each in a fresh
process twice: with the loader's streaming reader (`iter_csv_tables`, what the source yields to
dlt) and, for comparison, with a whole-file `pyarrow.csv.read_csv`. Prints peak resident memory
above the process baseline, throughput, and the ratios side by side from the same run, and exits 1
when the streaming reader's memory grows by more than `--max-growth` from 1x to 8x.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time

HEADER = [
    "activity_id", "split_id", "activity_name", "split_activity_name", "sender", "subject",
    "address", "variation", "type", "correlation_id", "event_time", "server_time", "device",
    "location", "link_id", "link_url", "link_title", "bounce_code", "unsubscribe_topic",
    "abuse_section", "gender (version_id: 491874)", "vip (version_id: vip)",
]  # fmt: skip
TYPES = ("SENT", "DELIVERED", "OPENED", "CLICKED", "BOUNCED")


def write_export(path: str, rows: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    with (
        gzip.open(path, "wb", compresslevel=1) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        writer = csv.writer(text)
        writer.writerow(HEADER)
        for i in range(rows):
            kind = TYPES[i % len(TYPES)]
            click = kind == "CLICKED"
            writer.writerow(
                [
                    "648918", "648922", "Spring sale", "Split A", "Acme Store", "New arrivals",
                    f"person{rng.randrange(10**6)}@example.com", "A", kind,
                    f"{rng.getrandbits(64):016x}-{i}", str(1767225600000 + i * 1000),
                    str(1767225600000 + i * 1000 + 5), "MOBILE" if click else "", "SE" if click else "",
                    "77" if click else "", "https://shop.example.com/a,b?x=1" if click else "",
                    'Say "hi"' if click else "", "3001" if kind == "BOUNCED" else "", "", "",
                    "female", "TAG" if i % 3 == 0 else "",
                ]
            )  # fmt: skip
    return os.path.getsize(path)


def measure(path: str, mode: str) -> dict[str, float]:
    """Run in a child process: read the file, report peak RSS growth and seconds."""
    code = f"""
import json, resource, time
import pyarrow as pa, pyarrow.csv as pacsv
from pipelines.common.files import iter_csv_tables, snake_versioned_header
from pipelines.apsis_one.settings import COLUMN_TYPES
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
rows = 0
if {mode!r} == "streaming":
    for table in iter_csv_tables({path!r}, column_types=COLUMN_TYPES, rename=snake_versioned_header):
        rows += table.num_rows
else:
    table = pacsv.read_csv({path!r}, convert_options=pacsv.ConvertOptions(column_types=COLUMN_TYPES))
    rows = table.num_rows
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
arrow = pa.default_memory_pool().max_memory() / 2**20
print(json.dumps({{"rows": rows, "seconds": seconds, "peak_mb": (peak - base) / 1024, "arrow_mb": arrow}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000, help="rows of the 1x file")
    parser.add_argument("--factor", type=int, default=8)
    parser.add_argument("--max-growth", type=float, default=1.5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {"1x": args.rows, f"{args.factor}x": args.rows * args.factor}
        files = {}
        for label, rows in sizes.items():
            path = os.path.join(tmp, f"export_{label}.csv.gz")
            started = time.perf_counter()
            size = write_export(path, rows)
            files[label] = path
            print(
                f"wrote {label}: {rows:,} rows, {size / 1e6:.1f} MB gzip "
                f"({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
        results = {
            (label, mode): measure(path, mode)
            for label, path in files.items()
            for mode in ("streaming", "whole-file")
        }
    print()
    print(f"{'reader':<12}{'file':>6}{'rows':>12}{'RSS MB':>10}{'Arrow MB':>10}{'rows/s':>12}")
    for (label, mode), r in results.items():
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        print(
            f"{mode:<12}{label:>6}{int(r['rows']):>12,}{r['peak_mb']:>10.1f}"
            f"{r['arrow_mb']:>10.1f}{rate:>12,.0f}"
        )
    big = f"{args.factor}x"

    def ratio(metric: str, mode: str) -> float:
        return results[(big, mode)][metric] / max(results[("1x", mode)][metric], 1.0)

    print()
    failed = False
    for metric, name in (("peak_mb", "peak RSS"), ("arrow_mb", "peak Arrow allocation")):
        growth = ratio(metric, "streaming")
        versus = results[(big, "whole-file")][metric] / max(results[(big, "streaming")][metric], 1)
        print(
            f"{name}: streaming {big}/1x = {growth:.2f} (target <= {args.max_growth}); "
            f"whole-file {big}/1x = {ratio(metric, 'whole-file'):.2f}; "
            f"whole-file/streaming at {big} = {versus:.1f}"
        )
        failed = failed or growth > args.max_growth
    if failed:
        print("FAIL: the streaming reader's memory grows with the file size")
        return 1
    print("OK: streaming memory is flat in the file size")
    return 0


if __name__ == "__main__":
    sys.exit(main())
