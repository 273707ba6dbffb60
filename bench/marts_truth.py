"""Do the marts equal the sandbox world's truth? The comparisons the end-to-end tests make
(tests/test_end_to_end_marts.py, tests/test_end_to_end_report_marts.py, sandbox.demo), as one
function the benchmark calls after each load and build: per provider, `email_campaign_report`
(sandbox.compare.report_differences), `email_campaign_link_activity` and
`email_recipient_suppressions` as sets of rows (recipients pseudonymised as the dbt project does),
and the time-bucketed report marts keyed by their grain, with the report periods pinned
(`report_vars`: as_of the world clock, UTC, past days 1, 7 and 30, calendar periods). Every
mart's human columns (issue 16) are compared exactly, but for the differences the pairs the
machine flags misjudged explain (sandbox/human_truth.py); a truth column a mart lacks differs.

After loads at several clocks (`reads`), the truth of the providers in `READ_CLOCK_PROVIDERS` is
asked for those reads: Maxemail's `opened` file shows each pair's latest open at the clock it is
read, so a warehouse that read it more than once holds the latest open of the first read that saw
one (sandbox/maxemail/reads.py, docs/CONTRACTS.md 5.3 and 9)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import duckdb

from sandbox.compare import report_differences
from sandbox.human_truth import FlagErrors, accept_flag_errors, flag_errors
from sandbox.values import normal, recipient_key

PROVIDERS = ("apsis_one", "maxemail", "netcore", "benchmark")
PAST_DAYS = (1, 7, 30)
REPORT_MARTS = {
    "dashboard": ("email_dashboard", ("past_days",)),
    "histogram": ("email_histogram", ("past_days", "event_type", "bucket_index")),
    "engagement": ("email_campaign_engagement", ("campaign_id", "period", "bucket_index")),
    "contact_histogram": ("email_dashboard_contact_histogram", ("past_days", "bucket_index")),
    "overall": ("email_overall", ("past_days",)),
    "delivery_time": ("email_overall_delivery_time", ("past_days", "slot")),
    "campaign_comparison": ("email_overall_campaign_comparison", ("past_days", "campaign_id")),
}
# Providers whose truth depends on the clocks the loader read at (the truth's `reads`).
READ_CLOCK_PROVIDERS = ("maxemail",)
Row = tuple[Any, ...]
Truth = Callable[[str, dict[str, str]], dict[str, Any]]


def report_vars(now: str, lookback_hours: int | None = None) -> str:
    """dbt `--vars` pinning the report periods to the world clock `now` (RFC 3339), and
    `event_lookback_hours` when given."""
    lookback = "" if lookback_hours is None else f", event_lookback_hours: {lookback_hours}"
    return (
        f'{{report_as_of: "{now}", reporting_timezone: "UTC", '
        f"report_past_days: {list(PAST_DAYS)}, report_period_alignment: calendar{lookback}}}"
    )


def truth_params(now: str) -> dict[str, str]:
    """The truth endpoint's report parameters matching `report_vars(now)`."""
    return {
        "as_of": now,
        "timezone": "UTC",
        "past_days": ",".join(map(str, PAST_DAYS)),
        "alignment": "calendar",
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def link_rows(rows: list[dict[str, Any]]) -> set[Row]:
    return {
        (
            _text(r["campaign_id"]),
            r["link_id"],
            r["link_url"],
            r["link_title"],
            int(r["unique_click_count"]),
            int(r["total_click_count"]),
        )
        for r in rows
    }


LINK_KEY = ("campaign_id", "link_id", "link_url")
LINK_HUMAN_COUNTS = ("human_unique_click_count", "human_total_click_count")


def link_differences(
    name: str, mart: list[dict[str, Any]], truth: list[dict[str, Any]], errors: FlagErrors
) -> list[str]:
    """Link activity against the truth: the rows (link_rows) as sets, and per link (campaign,
    link id, URL) the human clicks (issue 16) exactly, after taking from the mart what the
    campaign's misjudged `clicked` pairs explain (sandbox.human_truth.accept_flag_errors);
    Maxemail's human total is null on both sides."""
    problems = set_differences(name, link_rows(mart), link_rows(truth))
    expected, _ = accept_flag_errors(mart, truth, LINK_KEY, errors)
    rows = {tuple(str(r[k]) for k in LINK_KEY): r for r in mart}
    for want in expected:
        k = tuple(str(want[c]) for c in LINK_KEY)
        got = rows.get(k)
        if got is None:
            continue  # set_differences names it
        for column in LINK_HUMAN_COUNTS:
            if normal(got.get(column)) != normal(want[column]):
                problems.append(
                    f"{name} {k} {column}: mart {got.get(column)} != truth {want[column]}"
                )
    return problems


def suppression_rows(rows: list[dict[str, Any]], *, hashed: bool) -> set[Row]:
    return {
        (
            recipient_key(r["recipient"]) if hashed else r["recipient_key"],
            r["reason"],
            normal(r["suppressed_since"]),
            _text(r["campaign_id"]),
        )
        for r in rows
    }


def set_differences(name: str, mart: set[Row], truth: set[Row]) -> list[str]:
    if mart == truth:
        return []
    only_mart, only_truth = sorted(mart - truth, key=repr), sorted(truth - mart, key=repr)
    return [
        f"{name}: {len(only_mart)} rows only in the mart, {len(only_truth)} only in the truth",
        *(f"  mart only:  {row}" for row in only_mart[:3]),
        *(f"  truth only: {row}" for row in only_truth[:3]),
    ]


def keyed_differences(
    name: str, mart: list[dict[str, Any]], truth: list[dict[str, Any]], key: tuple[str, ...]
) -> list[str]:
    rows = {tuple(str(r[k]) for k in key): r for r in mart}
    expected = {tuple(str(r[k]) for k in key): r for r in truth}
    problems = []
    if set(rows) != set(expected) or len(rows) != len(mart):
        problems.append(
            f"{name}: keys differ: only in mart {sorted(set(rows) - set(expected))[:3]}, "
            f"only in truth {sorted(set(expected) - set(rows))[:3]}"
        )
    for k in sorted(set(rows) & set(expected)):
        for column, want in expected[k].items():
            got = rows[k].get(column)
            if normal(got) != normal(want):
                problems.append(f"{name} {k} {column}: mart {got!r} != truth {want!r}")
    return problems


def _select(con: duckdb.DuckDBPyConnection, mart: str, provider: str) -> list[dict[str, Any]]:
    cursor = con.execute(f"select * from marts.{mart} where provider = ?", [provider])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def differences(warehouse: str, truth: Truth, now: str, *, reads: Sequence[str] = ()) -> list[str]:
    """Every disagreement between the marts in `warehouse` (built with `report_vars(now)`) and
    `truth(provider, params)` (the sandbox's `/_sandbox/truth/<provider>`); empty = equal.
    `reads`: the clocks (RFC 3339) of the loads before the last, which was at `now` (see the
    module's docstring)."""
    problems: list[str] = []
    with duckdb.connect(warehouse, read_only=True) as con:
        for provider in PROVIDERS:
            params = truth_params(now)
            if reads and provider in READ_CLOCK_PROVIDERS:
                params["reads"] = ",".join([*reads, now])
            want = truth(provider, params)
            # issue 16: human columns a misjudged pair explains are the flags' error, measured
            # on its own, not the marts' (sandbox/human_truth.py)
            errors = flag_errors(con, provider, want["machine_pairs"])
            problems += [
                f"{provider} email_campaign_report: {p}"
                for p in report_differences(
                    _select(con, "email_campaign_report", provider),
                    want["campaign_report"],
                    errors=errors,
                )
            ]
            links = _select(con, "email_campaign_link_activity", provider)
            problems += link_differences(
                f"{provider} link activity", links, want["link_activity"], errors
            )
            stops = _select(con, "email_recipient_suppressions", provider)
            problems += set_differences(
                f"{provider} suppressions",
                suppression_rows(stops, hashed=False),
                suppression_rows(want["suppressions"], hashed=True),
            )
            for name, (mart, key) in REPORT_MARTS.items():
                rows = _select(con, mart, provider)
                if "past_days" in key:
                    rows = [r for r in rows if r["past_days"] in PAST_DAYS]
                expected, _ = accept_flag_errors(rows, want[name], key, errors)
                problems += keyed_differences(f"{provider} {mart}", rows, expected, key)
    return problems
