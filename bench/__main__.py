"""`python -m bench [--events "1000000 3000000"]` (`make bench`, BENCH_EVENTS): the whole path at
one or several world sizes, side by side in one run (bench.run). Prints one table, writes
`bench/results/latest.csv` (metric,events,value,unit,ratio) and, for several sizes,
`bench/results/latest.png` (cost against size); progress goes to stderr."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench import results
from bench.run import PROVIDERS, bench_size
from bench.server import progress

RESULTS = Path(__file__).resolve().parent / "results"


def isolate(work: Path) -> None:
    """Keep the user's settings out of the run (as `make demo` does): no .dlt/ of the project
    (DLT_PROJECT_DIR is an empty directory), no SOURCES__/DESTINATION__ variables, no telemetry."""
    for name in [n for n in os.environ if n.startswith(("SOURCES__", "DESTINATION__"))]:
        del os.environ[name]
    project = work / "dlt_project"
    project.mkdir(parents=True, exist_ok=True)
    os.environ["DLT_PROJECT_DIR"] = str(project)
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events",
        default=os.environ.get("BENCH_EVENTS") or "1000000",
        help="world sizes in APSIS One events, space-separated (default $BENCH_EVENTS or 1000000)",
    )
    parser.add_argument(
        "--providers",
        default=os.environ.get("BENCH_PROVIDERS") or " ".join(PROVIDERS),
        help="providers to load, space-separated (default $BENCH_PROVIDERS or all four); "
        "fewer than all four measures the loads only (no dbt, no truth)",
    )
    parser.add_argument(
        "--loads-only", action="store_true", help="the loads side by side only: no dbt, no truth"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory of latest.csv/png")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args(argv)
    sizes = [int(word.replace("_", "")) for word in args.events.replace(",", " ").split()]
    providers = tuple(args.providers.replace(",", " ").split())
    unknown = sorted(set(providers) - set(PROVIDERS))
    if unknown or not providers:
        parser.error(f"--providers: unknown {unknown}; choose from {' '.join(PROVIDERS)}")
    loads_only = args.loads_only or set(providers) != set(PROVIDERS)
    work = Path(tempfile.mkdtemp(prefix="email-elt-bench-"))
    isolate(work)
    figures: list[results.Figure] = []
    try:
        for n in sizes:
            figures += bench_size(n, work / str(n), providers, loads_only)
            results.write_csv(figures, args.out / "latest.csv")  # each size as it completes
    finally:
        if args.keep:
            progress(f"scratch files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(results.table(figures))
    print(f"\nwritten: {args.out / 'latest.csv'}")
    if len(sizes) > 1:
        results.chart(figures, args.out / "latest.png")
        print(f"written: {args.out / 'latest.png'}")
    if loads_only:
        print("loads only: dbt and the truth were not run")
    equal = all(f.value == 1.0 for f in figures if f.metric == "truth.equal")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
