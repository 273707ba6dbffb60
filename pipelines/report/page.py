"""The report's HTML: one self-contained page. plotly's JavaScript is inlined once, in the head
(`<script id="plotly-js">`, from the installed plotly package); the styles are inline; nothing
on the page names a URL to fetch (no CDN, no web font, no link to follow).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any

from plotly.offline import get_plotlyjs

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 24px 48px;
  color: #1f2933; background: #fff; }
header { border-bottom: 2px solid #d9e2ec; margin-bottom: 8px; }
h1 { font-size: 1.6em; margin: 24px 0 4px; }
h2 { font-size: 1.3em; margin: 0 0 6px; }
h3 { font-size: 1.05em; margin: 18px 0 6px; color: #334e68; }
section { border-top: 1px solid #d9e2ec; padding: 20px 0 8px; }
nav a { margin-right: 14px; color: #245; text-decoration: none; }
p.meta, p.source { color: #52606d; font-size: 0.9em; margin: 2px 0 10px; }
p.note { background: #fff8e1; border-left: 4px solid #f0b429; padding: 8px 12px; }
table { border-collapse: collapse; font-size: 0.85em; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 3px 8px; text-align: right; }
th { background: #f5f7fa; font-weight: 600; }
td.text, th.text { text-align: left; max-width: 420px; overflow-wrap: anywhere; }
td.up { color: #1d7a46; } td.down { color: #b42318; }
.status { display: inline-block; border-radius: 4px; padding: 1px 8px; font-weight: 600; }
.ok { background: #d3f9d8; color: #1d7a46; } .bad { background: #ffe3e3; color: #b42318; }
.neutral { background: #e4e7eb; color: #52606d; }
div.banner { padding: 10px 14px; border-radius: 6px; margin: 6px 0 12px; font-weight: 600; }
"""


class Html(str):
    """A cell that is already HTML (a status badge): `table` does not escape it."""


@dataclass
class Section:
    """One section of the report: an anchor, a title, its HTML and the marts it reads."""

    anchor: str
    title: str
    sources: Sequence[str]
    body: str
    charts: int = 0


def fmt(value: Any) -> str:
    """A cell's text: thousands separators, rates with 2 decimals, dates without time zones."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        return f"{float(value):,.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], text_columns: int = 1) -> str:
    """An HTML table; the first `text_columns` columns align left, numbers right."""

    def cell(tag: str, index: int, value: Any) -> str:
        css = ' class="text"' if index < text_columns else ""
        text = value if isinstance(value, Html) else escape(fmt(value))
        return f"<{tag}{css}>{text}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def status(ok: bool | None, text: str) -> Html:
    """A badge: green (ok), red (not ok) or grey (None)."""
    css = "neutral" if ok is None else ("ok" if ok else "bad")
    return Html(f'<span class="status {css}">{escape(text)}</span>')


def heading(text: str, level: int = 3) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def render(title: str, meta: str, sections: Sequence[Section]) -> str:
    """The whole page: plotly.js once in the head, a table of contents, then every section."""
    nav = "".join(f'<a href="#{s.anchor}">{escape(s.title)}</a>' for s in sections)
    parts = [
        f'<section id="{s.anchor}"><h2>{escape(s.title)}</h2>'
        f'<p class="source">From {escape(", ".join(s.sources))}.</p>{s.body}</section>'
        for s in sections
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style>"
        f'<script id="plotly-js" type="text/javascript">{get_plotlyjs()}</script>'
        f'</head><body><header><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>'
        f"<nav>{nav}</nav></header>{''.join(parts)}</body></html>\n"
    )
