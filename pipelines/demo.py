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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("dlt").setLevel(logging.WARNING)
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
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s. Warehouse: {warehouse}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
