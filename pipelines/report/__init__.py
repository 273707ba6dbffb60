"""`python -m pipelines report [--warehouse PATH] [--out PATH]` (`make report`): one self-contained,
offline HTML file from the marts of the DuckDB warehouse (WAREHOUSE_PATH, default
./warehouse.duckdb), written beside it as `<warehouse name>-report.html` unless --out names
another file.

Sections, per provider and account: sends and engagement per day, the period-over-period
dashboard, campaign comparison, engagement after send, bounce classes, top links, the suppression
list's size, the reconciliation status and pipeline health. A mart that is not built is named
in a warning and in its section; a warehouse without marts is an error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.common.warehouse import duckdb_path, warehouse_kind
from pipelines.report import queries, sections
from pipelines.report.page import Section, render
from pipelines.report.queries import ReportError

__all__ = ["Report", "ReportError", "default_output", "write_report"]

# (anchor, title, marts it reads, builder)
SECTIONS: tuple[tuple[str, str, tuple[str, ...], Callable[[queries.Marts], str]], ...] = (
    ("over-time", "Sends and engagement over time", ("fct_email_deliveries",), sections.daily),
    ("dashboard", "Period over period", ("email_dashboard",), sections.dashboard),
    ("campaigns", "Campaign comparison", ("email_campaign_report",), sections.campaigns),
    ("engagement", "Engagement after send", ("email_campaign_engagement",), sections.curves),
    ("bounces", "Bounce classes", ("fct_email_deliveries",), sections.bounces),
    ("links", "Top links", ("email_campaign_link_activity",), sections.links),
    ("suppressions", "Suppression list", ("email_recipient_suppressions",), sections.suppressions),
    ("reconciliation", "Reconciliation", queries.RECONCILIATION, sections.reconciliation),
    ("health", "Pipeline health", ("email_pipeline_health",), sections.health),
)
CHART = 'class="plotly-graph-div"'


@dataclass
class Report:
    """What was written: the file, its sections' and charts' count, and the marts not built."""

    path: Path
    sections: int
    charts: int
    missing: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        return [
            f"{queries.SCHEMA}.{mart} is not built in this warehouse: its section of the report "
            "says so (run `make transform` to build every mart)"
            for mart in self.missing
        ]


def default_output(warehouse: str) -> Path:
    """`<warehouse name>-report.html` beside the warehouse file (warehouse-report.html)."""
    path = Path(warehouse)
    return path.with_name(f"{path.stem}-report.html")


def write_report(warehouse: str | None = None, out: str | Path | None = None) -> Report:
    """Write the report of ``warehouse`` (default $WAREHOUSE_PATH) to ``out``; ReportError when
    the warehouse or its marts do not exist."""
    if warehouse_kind() != "duckdb":
        raise ReportError(
            f"the report reads a DuckDB warehouse; WAREHOUSE={warehouse_kind()} is not "
            "supported yet (unset WAREHOUSE and set WAREHOUSE_PATH to a DuckDB file)"
        )
    path = duckdb_path(warehouse)
    marts = queries.open_marts(path)
    try:
        built = [
            Section(anchor, title, [f"{queries.SCHEMA}.{m}" for m in reads], build(marts))
            for anchor, title, reads, build in SECTIONS
        ]
    finally:
        marts.con.close()
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = f"Warehouse {Path(path).name}, generated {generated}. Days and times are UTC."
    html = render("Email analytics report", meta, built)
    target = Path(out) if out else default_output(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return Report(target.resolve(), len(built), html.count(CHART), marts.missing)


def main(warehouse: str | None, out: str | None) -> int:
    """The command: write the report, print a warning per mart not built and the file's path."""
    try:
        report = write_report(warehouse, out)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in report.warnings():
        print(f"warning: {warning}")
    print(f"report: {report.path} ({report.sections} sections, {report.charts} charts)")
    return 0
