"""The report's charts: plotly figures as HTML fragments without plotly's JavaScript (the page
inlines it once). A chart is drawn only when it has a point to show: a builder returns None for
empty data, and the section says so in words instead.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

# No plotly logo (a link to plotly's site); charts follow the window.
CONFIG = {"displaylogo": False, "responsive": True}
HEIGHT = 340
_ids = itertools.count(1)


def fragment(figure: go.Figure) -> str:
    """The figure's <div> and the script that draws it; plotly.js must already be on the page."""
    figure.update_layout(
        height=HEIGHT,
        margin={"l": 50, "r": 20, "t": 40, "b": 40},
        template="plotly_white",
        font={"family": "system-ui, sans-serif", "size": 12},
        legend={"orientation": "h", "y": -0.15},
    )
    html: str = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=CONFIG,
        div_id=f"chart-{next(_ids)}",
    )
    return html


def daily_chart(rows: Iterable[dict[str, Any]], measures: Iterable[str]) -> str | None:
    """Lines of pairs per UTC day, one per measure (rows of queries.daily_series); a day without
    a row counts 0, so the lines do not skip quiet days."""
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for row in rows:
        counts[row["measure"]][row["day"]] = int(row["pairs"])
    if not counts:
        return None
    first = min(min(days) for days in counts.values())
    last = max(max(days) for days in counts.values())
    axis = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    figure = go.Figure()
    for measure in measures:
        if measure in counts:
            dash = "dot" if measure.startswith("human") else "solid"
            figure.add_trace(
                go.Scatter(
                    x=axis,
                    y=[counts[measure].get(day, 0) for day in axis],
                    name=measure,
                    mode="lines",
                    line={"dash": dash},
                )
            )
    figure.update_layout(title="Pairs per UTC day, by their first event of each kind")
    figure.update_yaxes(title="pairs", rangemode="tozero")
    return fragment(figure)


def campaign_rates_chart(rows: list[dict[str, Any]]) -> str | None:
    """Grouped bars: open and click rates, each beside its human rate, per campaign."""
    if not rows:
        return None
    names = [f"{r['campaign_name']}" for r in rows]
    figure = go.Figure()
    for column, label in (
        ("open_rate", "open rate"),
        ("human_open_rate", "human open rate"),
        ("click_rate", "click rate"),
        ("human_click_rate", "human click rate"),
    ):
        figure.add_trace(go.Bar(x=names, y=[float(r[column] or 0) for r in rows], name=label))
    figure.update_layout(title="Rates per campaign (% of delivered)", barmode="group")
    figure.update_yaxes(title="% of delivered", rangemode="tozero")
    figure.update_xaxes(type="category", tickangle=-30)
    return fragment(figure)


def curves_chart(rows: list[dict[str, Any]]) -> str | None:
    """Cumulative unique opens per hour after the first send, one line per campaign."""
    curves: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for row in rows:
        hours, totals = curves[row["campaign_id"]]
        hours.append(int(row["bucket_index"]) + 1)
        totals.append((totals[-1] if totals else 0) + int(row["unique_open_count"]))
    if not curves:
        return None
    figure = go.Figure()
    for campaign, (hours, totals) in curves.items():
        figure.add_trace(
            go.Scatter(x=[0, *hours], y=[0, *totals], name=campaign, mode="lines+markers")
        )
    figure.update_layout(title="Unique opens, cumulative, in the 24 hours after the first send")
    figure.update_xaxes(title="hours after the first send (local hour buckets)", dtick=2)
    figure.update_yaxes(title="pairs opened", rangemode="tozero")
    return fragment(figure)


def bounce_chart(rows: list[dict[str, Any]], label: dict[tuple[str, str], str]) -> str | None:
    """Stacked bars: bounced pairs per provider and account, by bounce class."""
    if not rows:
        return None
    by_class: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        by_class[row["bounce_class"]][label[(row["provider"], row["account_id"])]] = row["pairs"]
    accounts = list(dict.fromkeys(label[(r["provider"], r["account_id"])] for r in rows))
    figure = go.Figure()
    for bounce_class, counts in sorted(by_class.items()):
        figure.add_trace(
            go.Bar(x=accounts, y=[counts.get(a, 0) for a in accounts], name=bounce_class)
        )
    figure.update_layout(title="Bounced pairs by bounce class", barmode="stack")
    figure.update_yaxes(title="pairs", rangemode="tozero")
    return fragment(figure)


def health_chart(rows: list[dict[str, Any]], display: dict[str, str]) -> str | None:
    """Bars: rows loaded per provider and day (email_pipeline_health)."""
    if not rows:
        return None
    figure = go.Figure()
    for provider in dict.fromkeys(r["provider"] for r in rows):
        mine = [r for r in rows if r["provider"] == provider]
        figure.add_trace(
            go.Bar(
                x=[r["day"] for r in mine],
                y=[int(r["rows_loaded"] or 0) for r in mine],
                name=display.get(provider, provider),
            )
        )
    figure.update_layout(title="Rows loaded per UTC day", barmode="group")
    figure.update_yaxes(title="rows", rangemode="tozero")
    return fragment(figure)
