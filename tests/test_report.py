"""`make report` (issue 17, point 2): the HTML report of the marts, written by the command a user
runs and rendered in headless Chromium (tests/chromium.py, the DevTools protocol over a pipe).

The warehouse: the small sandbox world, every provider, a full dbt build reporting as of the
world clock. Chromium is Debian's package: scripts/chromium.sh installs it when missing. Under CI
(CI=true) a Chromium that cannot be installed fails the test; elsewhere it is skipped, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from pipelines.common.runner import PROVIDERS
from sandbox import SandboxServer, WorldConfig
from tests.chromium import Chromium
from tests.conftest import ROOT, SMALL_WORLD, Sandbox, dbt_build, load_every_provider, query

# the load and the full build (about 30 s, once for the module), then the report and Chromium (a
# few seconds each): about 36 s for the module's four tests, 9 s each (tests/shards.py)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(9)]

SCRIPT = ROOT / "scripts" / "chromium.sh"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Every chart on the page once drawn: its section, the heading above it, its traces' points,
# whether plotly drew its SVG and how many drawn marks (paths) its traces have.
CHARTS = """
(async () => {
  const plots = Array.from(document.querySelectorAll('.plotly-graph-div'));
  const drawn = (p) => p._fullLayout && p.querySelector('svg.main-svg');
  for (let i = 0; i < 200 && !plots.every(drawn); i++) {
    await new Promise((done) => setTimeout(done, 50));
  }
  return plots.map((p) => {
    const above = p.parentElement.previousElementSibling;
    return {
      section: p.closest('section').id,
      heading: above && above.tagName === 'H3' ? above.textContent : null,
      traces: (p.data || []).map((t) => ({
        name: t.name, points: (t.y || []).length,
        total: (t.y || []).reduce((a, b) => a + Number(b), 0),
      })),
      svg: Boolean(p.querySelector('svg.main-svg')),
      marks: Array.from(p.querySelectorAll('g.trace path'))
        .filter((e) => (e.getAttribute('d') || '').length > 2).length,
    };
  });
})()
"""


@dataclass
class Built:
    tmp: Path
    warehouse: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("report")
    warehouse = str(tmp / "warehouse.duckdb")
    server = SandboxServer(WorldConfig(**SMALL_WORLD))
    server.start()
    try:
        sandbox = Sandbox(server)
        load_every_provider(sandbox, warehouse, tmp)
        now = requests.get(f"{sandbox.url}/_sandbox/clock", timeout=10).json()["now"]
    finally:
        server.stop()
    dbt_build(warehouse, tmp, "--vars", f"{{report_as_of: '{now}'}}")
    yield Built(tmp, warehouse)


def report(warehouse: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m pipelines report` (make report) on `warehouse`, as a user runs it."""
    env = {**os.environ, "WAREHOUSE": "duckdb", "WAREHOUSE_PATH": warehouse}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def written(built: Built) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`make report` on the built warehouse, without --out: the command's output and the file."""
    return report(built.warehouse), Path(built.warehouse).with_name("warehouse-report.html")


def chromium() -> str:
    """Chromium's path from scripts/chromium.sh (which installs Debian's package if missing)."""
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        reason = f"scripts/chromium.sh could not provide Chromium: {result.stderr.strip()[-800:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return result.stdout.strip().splitlines()[-1]


def test_the_report_renders_every_chart_without_an_error_or_a_request(
    built: Built, written: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    run, page = written
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [run.stdout.splitlines()[-1]], "no warning: every mart built"
    assert run.stdout.startswith(f"report: {page} (9 sections, ")

    with Chromium(chromium()) as browser:
        session = browser.open(page.as_uri())
        charts: list[dict[str, Any]] = browser.evaluate(session, CHARTS)
        shot = browser.screenshot(session, tmp_path / "report.png")
        events = browser.events

    errors = [
        e["params"]
        for e in events
        if (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requests_sent = [
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    ]
    assert requests_sent and all(url.startswith("file://") for url in requests_sent), requests_sent

    # the pipeline health section draws dbt's email_pipeline_health: every provider's run
    health = query(
        built.warehouse,
        "select distinct provider from marts.email_pipeline_health where succeeded_load_runs > 0",
    )
    runs = {
        provider: query(
            built.warehouse, f"select status, finished_at from raw_{provider}.load_history"
        )
        for provider in PROVIDERS
    }
    assert sorted(p for (p,) in health) == sorted(PROVIDERS), runs
    sections = {chart["section"] for chart in charts}
    assert sections == {"over-time", "campaigns", "engagement", "bounces", "health"}, sections
    for chart in charts:
        assert chart["svg"] and chart["marks"] > 0, chart
        assert chart["traces"] and all(t["points"] > 0 for t in chart["traces"]), chart

    # the daily series per provider and account: the sent line adds up to the pairs sent
    sent = {
        (provider, account): count
        for provider, account, count in query(
            built.warehouse,
            "select provider, account_id, count(first_sent_at) from marts.fct_email_deliveries "
            "group by all",
        )
    }
    daily = {
        c["heading"]: next(t["total"] for t in c["traces"] if t["name"] == "sent")
        for c in charts
        if c["section"] == "over-time"
    }
    assert daily == {
        f"{PROVIDERS[provider].display}, account {account}": count
        for (provider, account), count in sent.items()
    }

    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 100_000, len(png)
    height = int.from_bytes(png[20:24], "big")
    assert height > 3000, "a full-page screenshot is taller than the window"


def test_the_reconciliation_status_follows_the_differences(
    built: Built, written: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    """Green when every difference is 0; two changed figures make it red, with the count."""
    run, page = written
    assert run.returncode == 0, run.stdout + run.stderr
    assert query(
        built.warehouse,
        "select count(*) from marts.netcore_stats_reconciliation where difference <> 0",
    ) == [(0,)]
    assert 'class="banner ok" id="reconciliation-status">Every difference is 0.' in page.read_text()

    broken = str(tmp_path / "broken.duckdb")
    shutil.copy(built.warehouse, broken)
    with duckdb.connect(broken) as con:
        con.execute(
            "update marts.netcore_stats_reconciliation set difference = 1 "
            "where rowid in (select rowid from marts.netcore_stats_reconciliation limit 2)"
        )
    out = tmp_path / "report.html"
    assert report(broken, "--out", str(out)).returncode == 0
    assert 'class="banner bad" id="reconciliation-status">2 rows differ' in out.read_text()


class Attributes(HTMLParser):
    """Every src and href attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


def test_the_page_holds_no_address_and_links_nowhere(
    built: Built, written: tuple[subprocess.CompletedProcess[str], Path]
) -> None:
    assert query(
        built.warehouse,
        "select count(*) from raw_apsis_one.email_events where address like '%@%'",
    )[0][0], "the warehouse holds addresses (raw) the report must leave out"
    run, page = written
    assert run.returncode == 0, run.stdout + run.stderr
    html = page.read_text()
    parser = Attributes()
    parser.feed(html)
    assert parser.urls and all(url.startswith("#") for url in parser.urls), parser.urls
    # plotly's own library (inlined once) names its authors; the rest is the report's
    library = re.search(r'<script id="plotly-js" type="text/javascript">(.*?)</script>', html, re.S)
    assert library and html.count('id="plotly-js"') == 1
    ours = html.replace(library.group(1), "")
    assert "cdn.plot.ly" not in ours and "<link" not in ours and "@import" not in ours
    assert EMAIL.search(ours) is None


def test_a_mart_not_built_is_named_and_no_marts_is_an_error(built: Built, tmp_path: Path) -> None:
    partial = str(tmp_path / "partial.duckdb")
    shutil.copy(built.warehouse, partial)
    with duckdb.connect(partial) as con:
        con.execute("drop table marts.email_campaign_link_activity")
    out = tmp_path / "partial.html"
    run = report(partial, "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith(
        "warning: marts.email_campaign_link_activity is not built in this warehouse"
    )
    html = out.read_text()
    links = html[html.index('<section id="links">') :]
    links = links[: links.index("</section>")]
    assert "Not shown: marts.email_campaign_link_activity is not built" in links
    assert '<section id="campaigns">' in html and "Rates per campaign" in html

    empty = tmp_path / "empty.duckdb"
    with duckdb.connect(str(empty)) as con:
        con.execute("create schema raw_apsis_one")
    run = report(str(empty), "--out", str(tmp_path / "none.html"))
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: the warehouse {empty} holds no marts")
    assert "make transform" in run.stderr and not (tmp_path / "none.html").exists()
