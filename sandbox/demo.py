"""`make demo` (`python -m sandbox.demo`): start the sandbox, load every provider, `dbt build`,
print the campaign report and compare it with the sandbox's ground truth, then the precision and
recall of the machine flags against the world's machines (sandbox.machine_quality), and write the
HTML report (`make report`, pipelines/report/) beside the warehouse: its path is the last line.
The dbt build reports as of the sandbox's world clock (var `report_as_of`), so the period marts
(email_dashboard, ...) cover the world's last days rather than the wall clock's.

The demo never touches the user's warehouse, state or settings: it loads into its own DuckDB file
(`demo.duckdb`, or $DEMO_WAREHOUSE_PATH), keeps its dlt state, dbt profile and dbt artifacts in
`.<name>/` beside that file, and reads none of the user's settings: the sandbox accounts' URLs and
public test credentials (each provider package's `source_settings`) are passed explicitly, and
.dlt/, SOURCES__*, DESTINATION__*, WAREHOUSE, WAREHOUSE_PATH, DBT_TARGET, DBT_PROFILE and the
user's profiles.yml are ignored. It starts from an empty state each time (--full-refresh load and
dbt build), so it is repeatable. It lives with the sandbox: the loader (pipelines/) never imports
the sandbox.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import requests

from pipelines.common.runner import PROVIDERS, LoadError, load_provider
from pipelines.report import ReportError, write_report
from pipelines.summary import print_campaign_report
from pipelines.transform import transform
from sandbox.compare import report_differences
from sandbox.human_truth import ALL, flag_errors
from sandbox.machine_quality import print_quality
from sandbox.providers import PROVIDERS as SANDBOX
from sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger("demo")

# Loader tuning for the demo beside the sandbox accounts' settings (sandbox.plugin): the export
# status is polled sooner than the loader's default.
DEMO_SETTINGS: dict[str, dict[str, Any]] = {"apsis_one": {"poll_initial_seconds": 0.5}}
# Settings of the user's own accounts, warehouse and dbt target, never read by the demo.
USER_SETTINGS = ("SOURCES__", "DESTINATION__", "DBT_TARGET", "DBT_PROFILE")


def sandbox_settings(provider: str, url: str) -> dict[str, Any]:
    """The loader's settings for the sandbox account of `provider` at `url`."""
    return {**SANDBOX[provider].source_settings(url), **DEMO_SETTINGS.get(provider, {})}


def isolate(warehouse: Path) -> Path:
    """Point the loader and dbt at the demo's own files, away from the user's; return the demo's
    working directory (dlt state, dbt profile, target and logs). Runs before dlt reads any
    configuration: DLT_PROJECT_DIR, an empty directory, hides the project's .dlt/ settings."""
    workdir = warehouse.parent / f".{warehouse.stem}"
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "profiles.example.yml", workdir / "profiles.yml")
    for name in [n for n in os.environ if n.startswith(USER_SETTINGS)]:
        del os.environ[name]
    os.environ.update(
        WAREHOUSE="duckdb",
        WAREHOUSE_PATH=str(warehouse),
        DLT_PROJECT_DIR=str(workdir),
        DBT_PROFILES_DIR=str(workdir),
        DBT_TARGET_PATH=str(workdir / "dbt_target"),
        DBT_LOG_PATH=str(workdir / "dbt_logs"),
    )
    return workdir


def _sandbox_running(url: str) -> bool:
    try:
        return requests.get(f"{url}/_sandbox/health", timeout=2).ok
    except requests.RequestException:
        return False


def check_against_truth(warehouse: str, truths: dict[str, dict[str, Any]]) -> bool:
    """Compare the campaign report with the sandbox's ground truth; print the verdict."""
    import duckdb

    ok = True
    with duckdb.connect(warehouse, read_only=True) as con:
        for provider, truth in truths.items():
            cursor = con.execute(
                "select * from marts.email_campaign_report where provider = ?", [provider]
            )
            names = [d[0] for d in cursor.description]
            mart = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            # issue 16: the human columns too, exactly but for the pairs the flags misjudged
            errors = flag_errors(con, provider, truth["machine_pairs"])
            problems = report_differences(mart, truth["campaign_report"], errors=errors)
            misjudged = sum(errors.misjudged[(ALL, kind)] for kind in errors.engaged)
            engaged = sum(errors.engaged.values())
            if problems:
                ok = False
                print(f"\n{PROVIDERS[provider][2]}: the report differs from the sandbox's truth:")
                for problem in problems[:20]:
                    print(f"  {problem}")
            else:
                print(
                    f"{PROVIDERS[provider][2]}: all {len(mart)} campaigns equal the sandbox's "
                    "ground truth (every count, rate and last open/click; the human ones but "
                    f"for the {misjudged} of {engaged} engaged pairs the machine flags misjudged)"
                )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("DEMO_WAREHOUSE_PATH", ROOT / "demo.duckdb")),
        help="the demo's own DuckDB file (default: demo.duckdb, or $DEMO_WAREHOUSE_PATH)",
    )
    parser.add_argument(
        "--dbt-select",
        nargs="+",
        metavar="NODE",
        help="build only these dbt nodes (dbt's --select; default: the whole project)",
    )
    args = parser.parse_args()
    warehouse = str(args.warehouse.resolve())
    workdir = isolate(Path(warehouse))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("dlt").setLevel(logging.WARNING)
    logging.getLogger("sandbox").setLevel(logging.WARNING)  # the in-process simulators
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    url = f"http://{args.host}:{args.port}"
    started = time.monotonic()

    server = None
    if _sandbox_running(url):
        logger.info("using the sandbox already running at %s", url)
    else:
        server = SandboxServer(host=args.host, port=args.port)
        server.start()
        logger.info("sandbox started at %s", url)
    try:
        for provider in PROVIDERS:
            summary = load_provider(
                provider,
                warehouse=warehouse,
                pipelines_dir=str(workdir / "pipelines"),
                full_refresh=True,
                **sandbox_settings(provider, url),
            )
            logger.info(
                "%s: %s rows in %d export job(s), %.1f s, %s",
                PROVIDERS[provider][2],
                f"{summary.data_rows:,}",
                summary.export_jobs,
                summary.seconds,
                summary.speed(),
            )
        # a short summary; dbt's full log goes to the demo's dbt_logs/ (the summary names it)
        now = requests.get(f"{url}/_sandbox/clock", timeout=10).json()["now"]
        select = ["--select", *args.dbt_select] if args.dbt_select else []
        if transform(["--full-refresh", *select, "--vars", json.dumps({"report_as_of": now})]):
            print("error: dbt build failed (the summary above)", file=sys.stderr)
            return 1
        truths = {
            p: requests.get(f"{url}/_sandbox/truth/{p}", timeout=60).json() for p in PROVIDERS
        }
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
    print_campaign_report(warehouse)
    if not check_against_truth(warehouse, truths):
        return 1
    # issue 16: how well the machine flags find the world's machine-only opens and clicks
    print_quality(warehouse, truths, {p: PROVIDERS[p][2] for p in PROVIDERS})
    try:
        report = write_report(warehouse)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for warning in report.warnings():
        print(f"warning: {warning}")
    print(
        f"\nDemo finished in {time.monotonic() - started:.0f} s. Warehouse: {warehouse} (the "
        "demo's own; `make load` and `make transform` use WAREHOUSE_PATH). The HTML report "
        f"({report.charts} charts; `make report` writes yours):"
    )
    print(report.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
