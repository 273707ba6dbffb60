"""`make demo` never touches the user's warehouse, state or settings (issue 11, point 6), prints a
short dbt summary with dbt's full log in a file (issue 15, point 4), and its warehouse passes the
full-history data tests of `make test-data-full`, which fail on a duplicated event (point 2).

The demo runs once for the module as `make demo` runs it (`python -m sandbox.demo`, against the
module's sandbox) in the environment of a user who has configured a real account and a warehouse
of their own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from pipelines.common.runner import PROVIDERS
from sandbox import SandboxServer, WorldConfig
from tests.conftest import ROOT, SMALL_WORLD, query

# the demo (about 20 s, once for the module) and its checks: about 35 s on two cores
pytestmark = [pytest.mark.e2e, pytest.mark.cost(12)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# what the demo builds here; the whole build is tested in other modules
SELECT = ("+email_campaign_report", "+fct_email_events")


@dataclass
class Demo:
    tmp: Path
    user: Path
    user_digest: str
    run: subprocess.CompletedProcess[str]

    @property
    def workdir(self) -> Path:  # the demo's dlt state, dbt profile, target and logs
        return self.tmp / "demo" / ".demo"

    @property
    def warehouse(self) -> str:
        return str(self.tmp / "demo" / "demo.duckdb")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp_path = tmp_path_factory.mktemp("demo")
    user = tmp_path / "user"
    user.mkdir()
    user_warehouse = user / "warehouse.duckdb"
    with duckdb.connect(str(user_warehouse)) as con:
        con.execute("create schema raw_apsis_one")
        con.execute("create table raw_apsis_one.email_events as select 'my own row' as note")
    before = digest(user_warehouse)
    real_account = "http://127.0.0.1:9"  # the user's accounts: nothing may be asked of them
    env = {
        **os.environ,
        "WAREHOUSE": "duckdb",
        "WAREHOUSE_PATH": str(user_warehouse),
        "DLT_DATA_DIR": str(user / "dlt"),  # the user's dlt state
        "DBT_TARGET": "postgres",  # the user's dbt target
        "DEMO_WAREHOUSE_PATH": str(tmp_path / "demo" / "demo.duckdb"),
        **{f"SOURCES__{p.upper()}__BASE_URL": f"{real_account}/{p}" for p in PROVIDERS},
        "SOURCES__APSIS_ONE__CLIENT_SECRET": "the-users-secret",
        "SOURCES__BENCHMARK__API_KEY": "the-users-key",
    }
    server = SandboxServer(WorldConfig(**SMALL_WORLD))
    server.start()
    try:
        run = subprocess.run(
            [
                *(sys.executable, "-m", "sandbox.demo", "--port", str(urlsplit(server.url).port)),
                *("--dbt-select", *SELECT),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        server.stop()
    print(run.stdout[-1500:])
    yield Demo(tmp_path, user, before, run)


def test_the_demo_leaves_the_users_warehouse_state_and_settings_alone(demo: Demo) -> None:
    assert demo.run.returncode == 0, demo.run.stdout[-3000:] + demo.run.stderr[-3000:]
    for _, _, display, _ in PROVIDERS.values():
        assert re.search(
            rf"^{display}: all \d+ campaigns equal the sandbox's ground truth",
            demo.run.stdout,
            re.M,
        )

    user_warehouse = demo.user / "warehouse.duckdb"
    assert digest(user_warehouse) == demo.user_digest, "the demo wrote into the user's warehouse"
    assert query(str(user_warehouse), "select note from raw_apsis_one.email_events") == [
        ("my own row",)
    ]
    assert not (demo.user / "dlt").exists(), "the demo wrote into the user's dlt state"
    providers = query(demo.warehouse, "select distinct provider from marts.email_campaign_report")
    assert sorted(p for (p,) in providers) == sorted(PROVIDERS)
    assert (demo.workdir / "pipelines").is_dir()


def test_the_demo_ends_with_the_path_of_its_html_report(demo: Demo) -> None:
    """Issue 17: the demo writes the HTML report (`make report`) beside its warehouse and prints
    its path last. The demo here builds a selection of marts: the report names those it lacks."""
    out = demo.run.stdout
    assert demo.run.returncode == 0, out[-3000:] + demo.run.stderr[-3000:]
    page = Path(demo.warehouse).with_name("demo-report.html")
    assert out.splitlines()[-1] == str(page) and page.is_file()
    html = page.read_text()
    assert html.count('id="plotly-js"') == 1 and 'class="plotly-graph-div"' in html
    # built: the campaign report (its section has a chart); not built: the dashboard
    assert "Not shown: marts.email_dashboard is not built" in html
    assert re.search(r"^warning: marts\.email_dashboard is not built", out, re.M)
    assert "Not shown: marts.email_campaign_report" not in html


def summary_counts(line: str) -> dict[str, dict[str, int]]:
    """{"models": {"success": 12}, ...} from the summary's first line."""
    counts = {}
    for total, kind, statuses in re.findall(
        r"(\d+) (seeds|models|snapshots|data tests|unit tests) \(([^)]*)\)", line
    ):
        by_status = {s: int(n) for n, s in (part.split(" ") for part in statuses.split(", "))}
        assert sum(by_status.values()) == int(total)
        counts[kind] = by_status
    return counts


def run_results_counts(target: Path) -> dict[str, dict[str, int]]:
    kinds = {"model": "models", "seed": "seeds", "test": "data tests", "unit_test": "unit tests"}
    counts: dict[str, dict[str, int]] = {}
    results = json.loads((target / "run_results.json").read_text())["results"]
    for result in results:
        by_status = counts.setdefault(kinds[result["unique_id"].split(".")[0]], {})
        by_status[result["status"]] = by_status.get(result["status"], 0) + 1
    return counts


def log_of(summary: str) -> Path:
    match = re.search(r"^dbt's full log: (.+)$", summary, re.M)
    assert match, summary
    return Path(match.group(1))


def test_the_demo_prints_a_short_dbt_summary_and_keeps_the_full_log(demo: Demo) -> None:
    out = demo.run.stdout
    assert demo.run.returncode == 0, out[-3000:] + demo.run.stderr[-3000:]
    # a few lines of dbt (was about 1,100 for the whole build) before the campaign report
    dbt_part = out[out.index("running dbt build; its log: ") : out.index("Campaign report")]
    assert "START" not in dbt_part and len(dbt_part.splitlines()) <= 4, dbt_part
    line = next(x for x in out.splitlines() if x.startswith("dbt build: "))
    assert line.endswith(": ok")
    counts = summary_counts(line)
    assert counts == run_results_counts(demo.workdir / "dbt_target")
    assert counts["models"]["success"] > 10 and counts["data tests"]["pass"] > 20

    log = log_of(out)
    assert log.parent.parent == demo.workdir / "dbt_logs" and log.is_file()
    text = log.read_text()
    # dbt's whole console output (plain text) and its debug lines
    assert "\x1b[" not in text
    assert "\nCompleted successfully" not in text and "]: Completed successfully\n" in text
    assert "Finished running node model.email_analytics.fct_email_events" in text
    for name in ("fct_email_events", "column_checks_fct_email_events"):
        assert re.search(rf"OK created .* marts\.{name} |PASS {name} ", text), name


def transform(demo: Demo, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m pipelines transform <args>` (make transform, make test-data-full) on the demo's
    warehouse with the demo's dbt profile, target and logs."""
    env = {
        **os.environ,
        "WAREHOUSE": "duckdb",
        "WAREHOUSE_PATH": demo.warehouse,
        "DBT_PROFILES_DIR": str(demo.workdir),
        "DBT_TARGET_PATH": str(demo.workdir / "dbt_target"),
        "DBT_LOG_PATH": str(demo.workdir / "dbt_logs"),
    }
    return subprocess.run(
        [sys.executable, "-m", "pipelines", "transform", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.cost(16)
def test_full_history_data_tests_pass_and_catch_a_duplicated_event(demo: Demo) -> None:
    assert demo.run.returncode == 0, demo.run.stderr[-3000:]
    # make test-data-full, on the nodes the demo built
    full = transform(demo, "--data-tests-full", "--select", *SELECT)
    assert full.returncode == 0, full.stdout + full.stderr
    line = next(x for x in full.stdout.splitlines() if x.startswith("dbt test: "))
    assert line.startswith("dbt test: ") and line.endswith(": ok"), full.stdout
    counts = summary_counts(line)
    assert counts == run_results_counts(demo.workdir / "dbt_target")
    assert list(counts) == ["data tests"] and counts["data tests"]["pass"] > 20
    run_results = json.loads((demo.workdir / "dbt_target" / "run_results.json").read_text())
    assert run_results["args"]["vars"] == {"data_tests_full": True}

    # one event twice in the fact: the failing test in full, exit code 1 (dbt's); and one event
    # of an unmapped type: a warning test and the warning its Jinja raises, each on one line.
    # The warehouse is restored afterwards (the same path keeps dbt's partial parse).
    saved = demo.tmp / "demo-saved.duckdb"
    shutil.copy(demo.warehouse, saved)
    try:
        with duckdb.connect(demo.warehouse) as con:
            con.execute(
                "insert into marts.fct_email_events select * from marts.fct_email_events limit 1"
            )
            con.execute(
                "insert into marts.fct_email_events select * replace ('unknown' as event_type, "
                "'inbox' as raw_event_type, event_id || '-x' as event_id) "
                "from marts.fct_email_events where provider = 'netcore' limit 1"
            )
        broken = transform(demo, "--data-tests-full", "--select", "fct_email_events")
        # the failing test's query: one row naming the column, the check and the repeated rows
        compiled = re.search(
            r"compiled SQL \(its query returns the failing rows\): (.+)$", broken.stdout, re.M
        )
        assert compiled and Path(compiled.group(1)).is_file(), broken.stdout
        with duckdb.connect(demo.warehouse) as con:
            failing = con.execute(Path(compiled.group(1)).read_text()).fetchall()
        assert failing == [("event_id", "unique", 1)], failing
    finally:
        shutil.move(saved, demo.warehouse)
    out = broken.stdout
    assert broken.returncode == 1, out + broken.stderr
    assert re.search(
        r"^dbt test: .*\(1 fail, (\d+ pass, )?1 warn\).*FAILED, exit code 1$", out, re.M
    )
    assert "\n2 warning(s):\n  WARN test assert_no_unmapped_event_types: Got 1 result" in out
    assert "\n  netcore: event type 'inbox' is not mapped: 1 event in fct_email_events" in out
    assert "\nFAIL test column_checks_fct_email_events\n" in out
    assert "    Got 1 result, configured to fail if != 0" in out
    compiled = re.search(r"compiled SQL \(its query returns the failing rows\): (.+)$", out, re.M)
    assert compiled and Path(compiled.group(1)).is_file(), out
    sql = Path(compiled.group(1)).read_text()
    with duckdb.connect(demo.warehouse) as con:
        assert con.execute(sql).fetchall() == [], "the restored warehouse has no duplicate"
    assert "column_checks_fct_email_events" in log_of(out).read_text()


def test_the_demo_prints_the_precision_and_recall_of_the_machine_flags(demo: Demo) -> None:
    """Issue 16: after the reconciliation, the table of sandbox.machine_quality: per provider and
    pooled, for opens and clicks, the precision and recall of the machine flags against the
    world's machine-only pairs, each >= 0.95, then the flagged events per machine_reason."""
    out = demo.run.stdout
    assert demo.run.returncode == 0, out[-3000:] + demo.run.stderr[-3000:]
    table = out[out.index("Machine engagement: precision and recall") :]
    assert out.index("ground truth") < out.index("Machine engagement: precision and recall")
    names = [display for _, _, display, _ in PROVIDERS.values()]
    figures = {
        (name, kind): (int(positives), int(flagged), float(precision), float(recall))
        for name, kind, positives, flagged, precision, recall in re.findall(
            r"^  (.+?) +(opens|clicks) +\d+ +(\d+) +(\d+) +(\d\.\d{3}) +(\d\.\d{3})$", table, re.M
        )
    }
    assert set(figures) == {(n, k) for n in [*names, "all providers"] for k in ("opens", "clicks")}
    for key, (positives, flagged, precision, recall) in figures.items():
        assert positives > 0 and flagged > 0, key
        assert precision >= 0.95 and recall >= 0.95, (key, precision, recall)
    for name in names:
        assert re.search(rf"^  {name}: opened \w+ \d+.*clicked \w+ \d+", table, re.M), name
