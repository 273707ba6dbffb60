"""Command line: `python -m pipelines load [provider ...] [--since DATE] [--full-refresh] [--allow-gaps]`,
`python -m pipelines check`, `python -m pipelines transform [DBT_ARGS ...]` (pipelines/transform.py)
and `python -m pipelines report [--out PATH]` (pipelines/report/).

Configuration comes from dlt: `.dlt/config.toml`, `.dlt/secrets.toml` and environment variables
(`SOURCES__APSIS_ONE__CLIENT_SECRET`, ...). The warehouse is WAREHOUSE_PATH (DuckDB, default
./warehouse.duckdb) unless WAREHOUSE names another dlt destination.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import sys
import traceback
from types import TracebackType
from typing import Any

from pipelines.check import check_warehouse
from pipelines.common import privacy
from pipelines.common.runner import PROVIDERS, IncompleteLoad, LoadError, load_provider
from pipelines.common.summary import LoadSummary, print_load_summary
from pipelines.report import main as report_main
from pipelines.transform import main as transform_main


def _excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """An unexpected error's traceback, scrubbed like every other output."""
    text = "".join(traceback.format_exception(kind, error, trace))
    sys.stderr.write(privacy.scrub(text))


def _configure_logging(verbose: bool) -> None:
    # Every log line, warning and traceback is scrubbed of secrets, signed URLs and addresses.
    privacy.install()
    logging.captureWarnings(True)
    sys.excepthook = _excepthook
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # dlt is chatty at INFO; our own modules report progress. urllib3 stays at WARNING even when
    # verbose: its debug lines print every URL (scrubbed, but noisy).
    logging.getLogger("dlt").setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "DEBUG" if verbose else "WARNING")


def unknown_provider_error(names: list[str]) -> str | None:
    """One line for misspelled provider names, with the closest known one."""
    unknown = [name for name in names if name not in PROVIDERS]
    if not unknown:
        return None
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, PROVIDERS, n=1, cutoff=0.5)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]}?)" if close else ""))
    return f"unknown provider {', '.join(parts)}; the providers are {', '.join(PROVIDERS)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="load providers into the warehouse")
    load.add_argument(
        "providers", nargs="*", help=f"providers to load (default: all of {', '.join(PROVIDERS)})"
    )
    load.add_argument("--since", help="backfill from this date (ISO 8601), ignoring saved state")
    load.add_argument(
        "--full-refresh", action="store_true", help="drop the providers' raw tables and state first"
    )
    load.add_argument(
        "--warehouse", help="DuckDB file (default: $WAREHOUSE_PATH or ./warehouse.duckdb)"
    )
    load.add_argument(
        "--allow-gaps",
        action="store_true",
        help="accept ranges a provider no longer serves (e.g. past its retention): load the rest, "
        "list them in the summary, exit 0 (per provider: sources.<provider>.allow_gaps = true)",
    )
    load.add_argument("-v", "--verbose", action="store_true")
    check = sub.add_parser(
        "check", help="check that dbt can build on the warehouse (run by make transform)"
    )
    check.add_argument(
        "--warehouse", help="DuckDB file (default: $WAREHOUSE_PATH or ./warehouse.duckdb)"
    )
    check.add_argument(
        "--dbt-args", default="", help="the dbt arguments to check (make transform's DBT_ARGS)"
    )
    report = sub.add_parser("report", help="write the HTML report of the marts (make report)")
    report.add_argument(
        "--warehouse", help="DuckDB file (default: $WAREHOUSE_PATH or ./warehouse.duckdb)"
    )
    report.add_argument(
        "--out", help="the HTML file (default: <warehouse name>-report.html beside the warehouse)"
    )
    # the transform's own parser: every argument it does not know goes to dbt
    sub.add_parser(
        "transform", add_help=False, help="dbt build with a short summary (make transform)"
    )
    args, extra = parser.parse_known_args(argv)
    if args.command == "transform":
        words = sys.argv[1:] if argv is None else argv
        return transform_main(words[words.index("transform") + 1 :])
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "report":
        return report_main(args.warehouse, args.out)
    if args.command == "check":
        outcome = check_warehouse(args.warehouse, args.dbt_args)
        for warning in outcome.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if outcome.error:
            print(f"error: {outcome.error}", file=sys.stderr)
            return 2
        return 0

    providers = args.providers or list(PROVIDERS)
    unknown = unknown_provider_error(providers)
    if unknown:
        print(f"error: {unknown}", file=sys.stderr)
        return 2
    _configure_logging(args.verbose)

    # --allow-gaps overrides the providers' `allow_gaps` settings; without it, the settings apply
    options: dict[str, Any] = {"allow_gaps": True} if args.allow_gaps else {}
    summaries: list[LoadSummary] = []
    failed = False
    for provider in providers:
        logging.info("loading %s", PROVIDERS[provider].display)
        try:
            summaries.append(
                load_provider(
                    provider,
                    warehouse=args.warehouse,
                    full_refresh=args.full_refresh,
                    since=args.since,
                    **options,
                )
            )
        except IncompleteLoad as exc:  # loaded what it could; a gap was not accepted
            print(f"error: {exc}", file=sys.stderr)
            summaries.append(exc.summary)
            failed = True
        except LoadError as exc:
            # Other providers still load: one provider's outage must not block the rest.
            print(f"error: {privacy.scrub(str(exc))}", file=sys.stderr)
            failed = True
    print_load_summary(summaries, args.allow_gaps)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
