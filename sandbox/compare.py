"""Compare a campaign report mart with the sandbox's ground truth, field by field (used by the
end-to-end tests and by `make demo`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.human_truth import FlagErrors, accept_flag_errors
from sandbox.reports.periods import rate

COUNTS = (
    "sent_count",
    "delivered_count",
    "unique_open_count",
    "unique_click_count",
    "bounce_count",
    "hard_bounce_count",
    "soft_bounce_count",
    "unsubscribe_count",
    "complaint_count",
)
RATES = ("open_rate", "click_rate", "bounce_rate", "hard_bounce_rate", "soft_bounce_rate")
TIMES = ("last_opened_at", "last_clicked_at")
# Issue 16: the opens and clicks no machine rule flagged. The mart's are a heuristic's (rules
# over event timing and IPs, dbt_project/macros/machine_flags.sql); the truth's are the world's
# labels. They differ exactly by the pairs the rules misjudged (sandbox/human_truth.py): given
# those (`errors`), report_differences compares the human columns exactly after taking from the
# mart the differences the misjudged pairs explain.
HUMAN_COUNTS = ("human_unique_open_count", "human_unique_click_count")
HUMAN_RATES = (
    ("human_open_rate", "human_unique_open_count"),
    ("human_click_rate", "human_unique_click_count"),
)
HUMAN_TIMES = ("last_human_opened_at", "last_human_clicked_at")


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", ""))


def report_differences(
    mart: list[dict[str, Any]], truth: list[dict[str, Any]], *, errors: FlagErrors | None = None
) -> list[str]:
    """Every disagreement between mart rows and truth rows keyed by campaign_id (empty = equal).
    `errors`: the provider's misjudged pairs (sandbox.human_truth.flag_errors); with them the human
    columns (issue 16: counts, rates, last human open / click) are compared exactly, after
    taking from the mart what the misjudged pairs explain (accept_flag_errors). Without them the
    human columns are not compared (a caller checking the totals only, or a provider's own
    campaign report, which counts machine engagement as engagement). Either way a mart row's
    human rate must be its human count on delivered."""
    problems: list[str] = []
    by_id = {str(r["campaign_id"]): r for r in mart}
    if errors is not None:
        truth, _ = accept_flag_errors(mart, truth, ("campaign_id",), errors)
    expected = {str(r["campaign_id"]): r for r in truth}
    if set(by_id) != set(expected):
        problems.append(
            f"campaigns differ: only in mart {sorted(set(by_id) - set(expected))}, "
            f"only in truth {sorted(set(expected) - set(by_id))}"
        )
    human = errors is not None
    counts = COUNTS + HUMAN_COUNTS if human else COUNTS
    rates = RATES + tuple(r for r, _ in HUMAN_RATES) if human else RATES
    for cid in sorted(set(by_id) & set(expected)):
        got, want = by_id[cid], expected[cid]
        for col in counts:
            if int(got[col]) != int(want[col]):
                problems.append(f"{cid} {col}: mart {got[col]} != truth {want[col]}")
        for col in rates:
            # Both sides round half up to 2 decimals from exact counts: equal to the cent.
            if abs(float(got[col]) - float(want[col])) > 1e-9:
                problems.append(f"{cid} {col}: mart {got[col]} != truth {want[col]}")
        for col in TIMES + HUMAN_TIMES if human else TIMES:
            g, w = _time(got[col]), _time(want[col])
            if g != w:
                problems.append(f"{cid} {col}: mart {g} != truth {w}")
        for col, count in HUMAN_RATES:  # the mart's rate is its count's, on delivered
            if col in got and float(got[col]) != rate(int(got[count]), int(got["delivered_count"])):
                problems.append(f"{cid} {col}: mart {got[col]} is not {count} on delivered")
    return problems
