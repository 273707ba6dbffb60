"""The semantic layer (dbt_project/models/semantic, docs/SEMANTIC_LAYER.md) answers what the marts
show: after one load of every provider from the sandbox and a full `dbt build`, MetricFlow's own
CLI (`mf query`, as a BI user or a semantic-layer client runs it) gives every campaign's open,
click, human open and bounce rate of email_campaign_report; email_dashboard's counts for
past_days 7 and 30 (current and previous period, and the bounded open rate) and email_overall's
bounce, unsubscribe and complaint counts, in a reporting time zone with DST; and
`mf validate-configs` passes against the built warehouse."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.conftest import ROOT, Sandbox, dbt_build, dbt_env, load_every_provider, query_dicts

# measured 57 s wall (48 s CPU) on two shared cores: one load and build, four queries, one
# validation (each mf call starts up in a few seconds, so every query asks several metrics)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(55)]

TIMEZONE = "Europe/London"
COUNTS = (
    "sent_count",
    "delivered_count",
    "unique_open_count",
    "unique_click_count",
    "human_unique_open_count",
    "human_unique_click_count",
)
# email_overall's other counts, asked in the same query
OVERALL_COUNTS = (
    "bounce_count",
    "hard_bounce_count",
    "soft_bounce_count",
    "unsubscribe_count",
    "complaint_count",
)
# email_campaign_report's rates: (numerator, base), both counts of the mart and metrics
CAMPAIGN_RATES = {
    "open_rate": ("unique_open_count", "delivered_count"),
    "click_rate": ("unique_click_count", "delivered_count"),
    "human_open_rate": ("human_unique_open_count", "delivered_count"),
    "bounce_rate": ("bounce_count", "sent_count"),
}
Key = tuple[str, str]


def mf(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The `mf` CLI beside this Python, in the project copy; fails the test on a non-zero exit."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("mf")), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"mf {args[0]} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    return result


def mf_query(
    project: Path,
    env: dict[str, str],
    out: Path,
    metrics: list[str],
    group_by: list[str],
    where: str,
) -> list[dict[str, str]]:
    """`mf query --csv`: the rows MetricFlow wrote, as text."""
    mf(
        project,
        env,
        "query",
        "--metrics",
        ",".join(metrics),
        "--group-by",
        ",".join(group_by),
        *(["--where", where] if where else []),
        "--csv",
        str(out),
    )
    with out.open(newline="") as file:
        return list(csv.DictReader(file))


def number(text: str) -> float:
    """A metric value of mf's CSV: empty (no row, or a null) is 0."""
    return float(text) if text else 0.0


def account(row: dict[str, str], prefix: str = "delivery__") -> Key:
    return row[f"{prefix}provider"], row[f"{prefix}account_id"]


def half_up(value: Fraction) -> Decimal:
    """A percentage as the marts round it: half up to 2 decimals."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def day_range(first: date, end: date) -> str:
    """The where filter of a calendar period: local days first .. end - 1 (metric_time is the
    reporting time zone's local time of each pair's first event)."""
    day = "{{ TimeDimension('metric_time', 'day') }}"
    return f"{day} >= '{first.isoformat()}' and {day} < '{end.isoformat()}'"


def test_mf_query_equals_the_marts(sandbox: Sandbox, warehouse: str, tmp_path: Path) -> None:
    sandbox.advance(hours=13.6)
    load_every_provider(sandbox, warehouse, tmp_path)
    now = requests.get(f"{sandbox.url}/_sandbox/clock", timeout=10).json()["now"]
    dbt_vars = json.dumps(
        {"report_as_of": now, "reporting_timezone": TIMEZONE, "report_past_days": [7, 30]}
    )
    dbt_build(warehouse, tmp_path, "--vars", dbt_vars)

    # mf reads the semantic manifest from <project>/target only: a project directory of its own
    # (dbt_project.yml and the semantic manifest the build wrote, with the build's vars: the time
    # dimensions' zone is var reporting_timezone) keeps the repository's target/ out of it.
    project = tmp_path / "mf_project"
    (project / "target").mkdir(parents=True)
    shutil.copy(ROOT / "dbt_project/dbt_project.yml", project)
    shutil.copy(tmp_path / "dbt_target/semantic_manifest.json", project / "target")
    env = {k: v for k, v in dbt_env(warehouse, tmp_path).items() if k != "DBT_TARGET_PATH"}

    # 1. Every campaign's open rate = email_campaign_report's, and its other rates on their
    # bases (each rate's numerator and base are asked too, and equal the mart's counts).
    campaigns = mf_query(
        project,
        env,
        tmp_path / "campaigns.csv",
        [*CAMPAIGN_RATES, *{count for pair in CAMPAIGN_RATES.values() for count in pair}],
        ["delivery__provider", "delivery__account_id", "delivery__campaign_id"],
        "",
    )
    report = query_dicts(warehouse, "select * from marts.email_campaign_report")
    assert {r["provider"] for r in report} == {"apsis_one", "maxemail", "netcore", "benchmark"}
    by_campaign = {(*account(r), r["delivery__campaign_id"]): r for r in campaigns}
    assert len(by_campaign) == len(campaigns)
    assert set(by_campaign) == {
        (r["provider"], r["account_id"] or "", r["campaign_id"]) for r in report
    }
    for mart in report:
        row = by_campaign[(mart["provider"], mart["account_id"] or "", mart["campaign_id"])]
        for rate, (numerator, base) in CAMPAIGN_RATES.items():
            counts = int(number(row[numerator])), int(number(row[base]))
            assert counts == (mart[numerator], mart[base]), (rate, mart["campaign_id"])
            exact = Fraction(100 * counts[0], counts[1]) if counts[1] else Fraction(0)
            assert abs(number(row[rate]) - float(exact)) < 1e-9, (rate, row)
            assert half_up(exact) == mart[rate], (rate, row, mart[rate])
    for rate in CAMPAIGN_RATES:
        assert any(mart[rate] > 0 for mart in report), f"no campaign has a {rate}"

    # 2. The dashboard's counts: the period of past_days N (calendar alignment) is the N local
    # days before the local day holding report_as_of, so a where filter on metric_time's day.
    dashboard = {
        (r["provider"], r["account_id"] or "", r["past_days"]): r
        for r in query_dicts(warehouse, "select * from marts.email_dashboard")
    }
    overall = {
        (r["provider"], r["account_id"] or "", r["past_days"]): r
        for r in query_dicts(warehouse, "select * from marts.email_overall")
    }
    today = datetime.fromisoformat(now).astimezone(ZoneInfo(TIMEZONE)).date()
    rows = mf_query(
        project,
        env,
        tmp_path / "dashboard.csv",
        [*COUNTS, *OVERALL_COUNTS],
        ["metric_time__day", "delivery__provider", "delivery__account_id"],
        day_range(today - timedelta(days=30), today),
    )
    for (provider, account_id, past_days), mart in dashboard.items():
        first = today - timedelta(days=past_days)
        period = [
            r
            for r in rows
            if account(r) == (provider, account_id)
            and date.fromisoformat(r["metric_time__day"][:10]) >= first
        ]
        wanted = {c: mart[c] for c in COUNTS}
        wanted |= {c: overall[(provider, account_id, past_days)][c] for c in OVERALL_COUNTS}
        for count, value in wanted.items():
            total = sum(number(r[count]) for r in period)
            assert total == value, (provider, past_days, count, total, value)
    for past_days in (7, 30):
        assert any(m["delivered_count"] for (*_, d), m in dashboard.items() if d == past_days)
    assert any(m["bounce_count"] for m in overall.values()), "no bounce in any period"

    # 3. Period over period: the cumulative metrics at the period's last local day are the
    # dashboard's current and previous counts.
    pop = [
        f"{count}_{kind}_{days}_days"
        for count in ("sent_count", "delivered_count", "unique_open_count")
        for kind in ("past", "previous")
        for days in (7, 30)
    ]
    last_day = (today - timedelta(days=1)).isoformat()
    rows = mf_query(
        project,
        env,
        tmp_path / "pop.csv",
        pop,
        ["metric_time__day", "delivery__provider", "delivery__account_id"],
        f"{{{{ TimeDimension('metric_time', 'day') }}}} = '{last_day}'",
    )
    at_last_day = {account(r): r for r in rows}
    for (provider, account_id, days), mart in dashboard.items():
        row = at_last_day.get((provider, account_id), {})
        for count in ("sent_count", "delivered_count", "unique_open_count"):
            assert number(row.get(f"{count}_past_{days}_days", "")) == mart[count]
            previous = number(row.get(f"{count}_previous_{days}_days", ""))
            assert previous == mart[f"previous_{count}"], (provider, days, count)
    assert any(mart["previous_delivered_count"] for mart in dashboard.values())

    # 4. The dashboard's open rate (bounded: of the pairs first delivered in the period, those
    # first opened before its end): the cohort numerator with opens before the period end, per
    # local day, over delivered_count of the period.
    opened_by_end = (
        "{{ TimeDimension('delivery__first_opened_local_at', 'hour') }} < "
        f"'{today.isoformat()}'"
    )
    rows = mf_query(
        project,
        env,
        tmp_path / "cohort.csv",
        ["delivered_then_opened_count"],
        ["metric_time__day", "delivery__provider", "delivery__account_id"],
        f"{day_range(today - timedelta(days=30), today)} and {opened_by_end}",
    )
    for (provider, account_id, days), mart in dashboard.items():
        first = today - timedelta(days=days)
        opened = sum(
            number(r["delivered_then_opened_count"])
            for r in rows
            if account(r) == (provider, account_id)
            and date.fromisoformat(r["metric_time__day"][:10]) >= first
        )
        delivered = mart["delivered_count"]
        exact = Fraction(int(opened) * 100, delivered) if delivered else Fraction(0)
        assert half_up(exact) == mart["open_rate"], (provider, days, opened, delivered)

    # 5. Every semantic model, dimension, entity, measure and metric against the warehouse.
    validated = mf(project, env, "validate-configs")
    assert "ERRORS: 0" in validated.stdout and "validated metrics against data warehouse" in (
        validated.stdout
    ), validated.stdout[-3000:]
