"""Command line: `python -m pipelines load [provider ...] [--since DATE] [--full-refresh] [--allow-gaps]`.

Configuration comes from dlt: `.dlt/config.toml`, `.dlt/secrets.toml` and environment variables
(`SOURCES__APSIS_ONE__CLIENT_SECRET`, ...). The warehouse is WAREHOUSE_PATH (DuckDB, default
./warehouse.duckdb) unless WAREHOUSE names another dlt destination.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from pipelines.check import check_warehouse
from pipelines.common.runner import (
    PROVIDERS,
    IncompleteLoad,
    LoadError,
    LoadSummary,
    load_provider,
)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # dlt is chatty at INFO; our own modules report progress. urllib3 stays at WARNING even when
    # verbose: its debug lines print full URLs, and signed download URLs carry credentials.
    logging.getLogger("dlt").setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "DEBUG" if verbose else "WARNING")


def _print_summary(summaries: list[LoadSummary], allow_gaps: bool = False) -> None:
    print("\nLoad summary")
    if not summaries:
        print("  nothing loaded")
    for s in summaries:
        display = PROVIDERS[s.provider][2]
        print(
            f"  {display} ({s.provider}): {s.loads} load(s), {s.export_jobs} export job(s), {s.seconds:.1f} s"
        )
        for table, rows in sorted(s.rows.items()):
            print(f"    raw_{s.provider}.{table:<24} {rows:>10,} rows")
        for gap in s.gaps:  # ranges known not loaded (pipelines/common/gaps.py)
            how = "--allow-gaps" if allow_gaps else f"sources.{s.provider}.allow_gaps"
            status = f"accepted ({how})" if gap.accepted else "not accepted"
            print(f"    gap {status}: {gap.describe()}")
        for notice in s.notices:
            print(f"    note: {notice}")


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
    args = parser.parse_args(argv)
    if args.command == "check":
        outcome = check_warehouse(args.warehouse)
        for warning in outcome.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if outcome.error:
            print(f"error: {outcome.error}", file=sys.stderr)
            return 2
        return 0

    _configure_logging(args.verbose)
    providers = args.providers or list(PROVIDERS)
    unknown = [p for p in providers if p not in PROVIDERS]
    if unknown:
        parser.error(f"unknown provider(s) {', '.join(unknown)}; known: {', '.join(PROVIDERS)}")

    # --allow-gaps overrides the providers' `allow_gaps` settings; without it, the settings apply
    options: dict[str, Any] = {"allow_gaps": True} if args.allow_gaps else {}
    summaries: list[LoadSummary] = []
    failed = False
    for provider in providers:
        logging.info("loading %s", PROVIDERS[provider][2])
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
            print(f"error: {exc}", file=sys.stderr)
            failed = True
    _print_summary(summaries, args.allow_gaps)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
