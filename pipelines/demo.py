"""`make demo`: start the sandbox, load every provider, `dbt build`, print the campaign report.

Runs on the embedded default (DuckDB file WAREHOUSE_PATH) from an empty state each time: the load
uses --full-refresh semantics and dbt builds with --full-refresh, so the demo is repeatable.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from pipelines.common.runner import PROVIDERS, LoadError, load_provider
from pipelines.summary import print_campaign_report

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger("demo")


def _sandbox_running(url: str) -> bool:
    try:
        return requests.get(f"{url}/_sandbox/health", timeout=2).ok
    except requests.RequestException:
        return False


def run_dbt(*args: str) -> None:
    """Run the dbt CLI of this virtualenv in dbt_project/, streaming its output."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(ROOT))}
    subprocess.run([str(dbt), *args], cwd=ROOT / "dbt_project", env=env, check=True)


def check_against_truth(warehouse: str, truths: dict[str, dict[str, Any]]) -> bool:
    """Compare the campaign report with the sandbox's ground truth; print the verdict."""
    import duckdb

    from sandbox.compare import report_differences

    ok = True
    with duckdb.connect(warehouse, read_only=True) as con:
        for provider, truth in truths.items():
            cursor = con.execute(
                "select * from marts.email_campaign_report where provider = ?", [provider]
            )
            names = [d[0] for d in cursor.description]
            mart = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            problems = report_differences(mart, truth["campaign_report"])
            if problems:
                ok = False
                print(f"\n{PROVIDERS[provider][2]}: the report differs from the sandbox's truth:")
                for problem in problems[:20]:
                    print(f"  {problem}")
            else:
                print(
                    f"{PROVIDERS[provider][2]}: all {len(mart)} campaigns equal the sandbox's "
                    "ground truth (every count, rate and last open/click)"
                )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("dlt").setLevel(logging.WARNING)
    logging.getLogger("sandbox").setLevel(logging.WARNING)  # the in-process simulators
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    warehouse = os.environ.get("WAREHOUSE_PATH", str(ROOT / "warehouse.duckdb"))
    url = f"http://{args.host}:{args.port}"
    started = time.monotonic()

    server = None
    if _sandbox_running(url):
        logger.info("using the sandbox already running at %s", url)
    else:
        from sandbox import SandboxServer

        server = SandboxServer(host=args.host, port=args.port)
        server.start()
        logger.info("sandbox started at %s", url)
    try:
        for provider in PROVIDERS:
            os.environ.setdefault(f"SOURCES__{provider.upper()}__BASE_URL", f"{url}/{provider}")
            summary = load_provider(provider, warehouse=warehouse, full_refresh=True)
            logger.info(
                "%s: %s rows in %d export job(s), %.1f s",
                PROVIDERS[provider][2],
                f"{sum(summary.rows.values()):,}",
                summary.export_jobs,
                summary.seconds,
            )
        run_dbt("build", "--full-refresh")
        truths = {
            p: requests.get(f"{url}/_sandbox/truth/{p}", timeout=60).json() for p in PROVIDERS
        }
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError:
        print("error: dbt build failed (see its output above)", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
    print_campaign_report(warehouse)
    if not check_against_truth(warehouse, truths):
        return 1
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s. Warehouse: {warehouse}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
