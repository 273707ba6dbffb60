"""The report's sections, each from its marts (pipelines/report/queries.py), per provider and
account. A section whose mart is not built says so instead of its content (queries.Marts.has).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from pipelines.common import privacy
from pipelines.common.runner import PROVIDERS
from pipelines.report import charts, queries
from pipelines.report.page import Html, heading, note, status, table

Key = tuple[str, str]


def label(key: Key) -> str:
    provider, account = key
    name = PROVIDERS[provider].display if provider in PROVIDERS else provider
    return f"{name}, account {account}" if account else f"{name} (no account id)"


def by_account(rows: Iterable[dict[str, Any]]) -> dict[Key, list[dict[str, Any]]]:
    grouped: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(row["provider"], row["account_id"])].append(row)
    return grouped


def not_built(*marts: str) -> str:
    names = ", ".join(f"{queries.SCHEMA}.{m}" for m in marts)
    return note(
        f"Not shown: {names} is not built in this warehouse (a partial dbt build?). "
        "Run `make transform` to build every mart."
    )


def per_account(
    rows: list[dict[str, Any]], empty: str, body: Callable[[list[dict[str, Any]]], str]
) -> str:
    grouped = by_account(rows)
    if not grouped:
        return note(empty)
    return "".join(heading(label(key)) + body(mine) for key, mine in grouped.items())


def daily(marts: queries.Marts) -> str:
    if not marts.has("fct_email_deliveries"):
        return not_built("fct_email_deliveries")
    measures = [name for name, _ in queries.DAILY]
    return per_account(
        queries.daily_series(marts),
        "No sends yet: fct_email_deliveries is empty.",
        lambda rows: charts.daily_chart(rows, measures) or "",
    )


DASHBOARD = (
    ("sent", "sent_count"),
    ("delivered", "delivered_count"),
    ("unique opens", "unique_open_count"),
    ("human unique opens", "human_unique_open_count"),
    ("open rate %", "open_rate"),
    ("human open rate %", "human_open_rate"),
    ("unique clicks", "unique_click_count"),
    ("human unique clicks", "human_unique_click_count"),
    ("click rate %", "click_rate"),
    ("human click rate %", "human_click_rate"),
    ("contacts", "contact_count"),
)


def dashboard_table(rows: list[dict[str, Any]]) -> str:
    periods = " · ".join(
        f"{r['past_days']} days: {r['period_start_at']:%Y-%m-%d %H:%M} to "
        f"{r['period_end_at']:%Y-%m-%d %H:%M} UTC"
        for r in rows
    )
    headers = ["metric"]
    for r in rows:
        headers += [f"{r['past_days']} days", "previous", "diff %"]
    lines = []
    for name, column in DASHBOARD:
        if all(r[column] is None for r in rows):
            continue  # contact counts: only where the provider has contact data
        line: list[Any] = [name]
        for r in rows:
            line += [r[column], r[f"previous_{column}"], r[f"{column}_diff"]]
        lines.append(line)
    return f'<p class="meta">{periods}</p>' + table(headers, lines)


def dashboard(marts: queries.Marts) -> str:
    if not marts.has("email_dashboard"):
        return not_built("email_dashboard")
    return per_account(queries.dashboard(marts), "email_dashboard has no row yet.", dashboard_table)


def campaign_body(rows: list[dict[str, Any]]) -> str:
    columns = (
        ("campaign", "campaign_name"),
        ("sent", "sent_count"),
        ("delivered", "delivered_count"),
        ("unique opens", "unique_open_count"),
        ("open %", "open_rate"),
        ("human open %", "human_open_rate"),
        ("unique clicks", "unique_click_count"),
        ("click %", "click_rate"),
        ("human click %", "human_click_rate"),
        ("bounce % (of sent)", "bounce_rate"),
        ("unsubscribes", "unsubscribe_count"),
        ("complaints", "complaint_count"),
    )
    # names as shown: scrubbed (a provider's name could hold an address); a name two campaigns
    # share gets its id, so that their bars stay apart
    names = [privacy.scrub(str(r["campaign_name"])) for r in rows]
    rows = [
        {**r, "campaign_name": f"{n} ({r['campaign_id']})" if names.count(n) > 1 else n}
        for r, n in zip(rows, names, strict=True)
    ]
    chart = charts.campaign_rates_chart(rows) or ""
    return chart + table([h for h, _ in columns], ([r[c] for _, c in columns] for r in rows))


def campaigns(marts: queries.Marts) -> str:
    if not marts.has("email_campaign_report"):
        return not_built("email_campaign_report")
    return (
        f'<p class="meta">The {queries.TOP_CAMPAIGNS} largest campaigns (by sent) of each '
        "account; opens and clicks on delivered, bounces on sent.</p>"
        + per_account(queries.campaigns(marts), "No campaign yet.", campaign_body)
    )


def curves(marts: queries.Marts) -> str:
    if not marts.has("email_campaign_engagement"):
        return not_built("email_campaign_engagement")
    return (
        f'<p class="meta">The {queries.CURVE_CAMPAIGNS} newest campaigns of each account.</p>'
        + per_account(
            queries.engagement_curves(marts),
            "No campaign with a send yet.",
            lambda rows: charts.curves_chart(rows) or "",
        )
    )


def bounces(marts: queries.Marts) -> str:
    if not marts.has("fct_email_deliveries"):
        return not_built("fct_email_deliveries")
    rows = queries.bounce_classes(marts)
    labels = {key: label(key) for key in by_account(rows)}
    chart = charts.bounce_chart(rows, labels)
    if chart is None:
        return note("No bounce yet.")
    lines = [
        (labels[(r["provider"], r["account_id"])], r["bounce_class"], r["pairs"]) for r in rows
    ]
    return chart + table(["account", "bounce class", "bounced pairs"], lines, text_columns=2)


def links_body(rows: list[dict[str, Any]]) -> str:
    return table(
        ["link", "title", "campaign", "unique clicks", "clicks", "human unique clicks"],
        (
            # shown as text, never as a link; a URL's personal or signed parts are masked
            (privacy.scrub(r["link_url"] or ""), privacy.scrub(r["link_title"] or ""))
            + (r["campaign_id"],)
            + (r["unique_click_count"], r["total_click_count"], r["human_unique_click_count"])
            for r in rows
        ),
        text_columns=3,
    )


def links(marts: queries.Marts) -> str:
    if not marts.has("email_campaign_link_activity"):
        return not_built("email_campaign_link_activity")
    return f'<p class="meta">The {queries.TOP_LINKS} most clicked links of each account.</p>' + (
        per_account(queries.top_links(marts), "No link clicked yet.", links_body)
    )


def suppressions(marts: queries.Marts) -> str:
    if not marts.has("email_recipient_suppressions"):
        return not_built("email_recipient_suppressions")
    rows = queries.suppressions(marts)
    if not rows:
        return note("No recipient to suppress.")
    lines = [
        (label((r["provider"], r["account_id"])), r["reason"] or "any reason", r["recipients"])
        for r in rows
    ]
    return table(["account", "reason", "recipients"], lines, text_columns=2)


def reconciliation(marts: queries.Marts) -> str:
    built = [m for m in queries.RECONCILIATION if marts.has(m)]
    if not built:
        return not_built(*queries.RECONCILIATION)
    lines, differing = [], 0
    for mart in built:
        for r in queries.reconciliation(marts, mart):
            differing += r["differing"]
            text = f"{r['differing']:,} differ" if r["differing"] else "all 0"
            account = label((r["provider"], r["account_id"]))
            badge = status(r["differing"] == 0, text)
            lines.append((mart, account, r["row_count"], r["compared"], badge))
    ok = differing == 0
    verdict = "Every difference is 0." if ok else f"{differing:,} rows differ from the providers."
    banner = (
        f'<div class="banner {"ok" if ok else "bad"}" id="reconciliation-status">{verdict}</div>'
    )
    rows = table(["mart", "account", "rows", "compared", "status"], lines, text_columns=2)
    absent = [m for m in queries.RECONCILIATION if m not in built]
    return banner + rows + (not_built(*absent) if absent else "")


HEALTH = (
    ("day", "day"),
    ("load runs", "load_runs"),
    ("succeeded", "succeeded_load_runs"),
    ("failed", "failed_load_runs"),
    ("incomplete", "incomplete_load_runs"),
    ("rows loaded", "rows_loaded"),
    ("load s", "load_seconds"),
    ("export jobs", "export_jobs"),
    ("failed export jobs", "failed_export_jobs"),
    ("export rows", "export_rows"),
    ("export s", "export_seconds"),
)


def run_status(value: str | None) -> Html:
    """The last run's status as a badge: green when it succeeded, red when it failed or was
    incomplete, grey without a run."""
    return status(None if value is None else value == "succeeded", value or "no run")


def health(marts: queries.Marts) -> str:
    if not marts.has("email_pipeline_health"):
        return not_built("email_pipeline_health")
    rows = queries.pipeline_health(marts)
    if not rows:
        return note("No load recorded yet.")
    display = {p: PROVIDERS[p].display for p in PROVIDERS}
    # each provider's newest day with a run (rows come oldest day first; a day may have none)
    latest = {r["provider"]: r for r in rows}
    latest.update({r["provider"]: r for r in rows if r["last_run_at"] is not None})
    summary = table(
        ["provider", "last run", "status", "last error", "last succeeded load"],
        (
            (display.get(p, p), r["last_run_at"], run_status(r["last_run_status"]))
            + (privacy.scrub(r["last_error"] or ""), r["last_succeeded_load_at"])
            for p, r in latest.items()
        ),
        text_columns=4,
    )
    days = "".join(
        heading(display.get(p, p))
        + table(
            [h for h, _ in HEALTH], ([r[c] for _, c in HEALTH] for r in rows if r["provider"] == p)
        )
        for p in latest
    )
    return (charts.health_chart(rows, display) or "") + summary + days
