"""Compare a campaign report mart with the sandbox's ground truth, field by field (used by the
end-to-end tests and by `make demo`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
# labels. A human who opens seconds after the delivery looks like a privacy proxy, so the two
# agree only up to the heuristic's error: see human_differences.
HUMAN_COUNTS = ("human_unique_open_count", "human_unique_click_count")
HUMAN_RATES = (
    ("human_open_rate", "human_unique_open_count"),
    ("human_click_rate", "human_unique_click_count"),
)
HUMAN_TIMES = ("last_human_opened_at", "last_human_clicked_at")
# The share of the truth's human count the mart may miss or add, pooled over a comparison's rows:
# the precision and recall floor of 0.95 the machine rules are held to (design of issue 16).
HUMAN_ERROR_SHARE = 0.05


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", ""))


def report_differences(
    mart: list[dict[str, Any]], truth: list[dict[str, Any]], *, human: bool = True
) -> list[str]:
    """Every disagreement between mart rows and truth rows keyed by campaign_id (empty = equal).
    `human`: the human engagement columns too (issue 16), within the heuristic's error
    (human_differences); false for a report without them (a provider's own campaign report
    counts machine engagement as engagement)."""
    problems: list[str] = []
    by_id = {str(r["campaign_id"]): r for r in mart}
    expected = {str(r["campaign_id"]): r for r in truth}
    if set(by_id) != set(expected):
        problems.append(
            f"campaigns differ: only in mart {sorted(set(by_id) - set(expected))}, "
            f"only in truth {sorted(set(expected) - set(by_id))}"
        )
    for cid in sorted(set(by_id) & set(expected)):
        got, want = by_id[cid], expected[cid]
        for col in COUNTS:
            if int(got[col]) != int(want[col]):
                problems.append(f"{cid} {col}: mart {got[col]} != truth {want[col]}")
        for col in RATES:
            # Both sides round half up to 2 decimals from exact counts: equal to the cent.
            if abs(float(got[col]) - float(want[col])) > 1e-9:
                problems.append(f"{cid} {col}: mart {got[col]} != truth {want[col]}")
        for col in TIMES:
            g, w = _time(got[col]), _time(want[col])
            if g != w:
                problems.append(f"{cid} {col}: mart {g} != truth {w}")
        if human:
            for col, count in HUMAN_RATES:  # the mart's rate is its count's, on delivered
                if float(got[col]) != rate(int(got[count]), int(got["delivered_count"])):
                    problems.append(f"{cid} {col}: mart {got[col]} is not {count} on delivered")
    if human:
        pairs = [(by_id[c], expected[c]) for c in sorted(set(by_id) & set(expected))]
        problems += human_differences("campaign report", pairs, HUMAN_COUNTS, HUMAN_TIMES)
    return problems


def human_differences(
    name: str,
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
    counts: tuple[str, ...],
    others: tuple[str, ...] = (),
) -> list[str]:
    """Issue 16: the human columns of matched (mart row, truth row) `pairs` agree within the
    machine rules' error. Per count column, pooled over the rows: the sum of |mart - truth| is at
    most HUMAN_ERROR_SHARE of the truth's sum (at least 1), no mart count exceeds its row's total
    (the column without `human_`), and null (unknown, e.g. Maxemail's human total clicks) where
    and only where the truth is. Per other column (times): the rows that differ are at most
    HUMAN_ERROR_SHARE of the rows where the truth has a value (at least 1)."""
    problems: list[str] = []
    for col in counts:
        nulls = [(m, t) for m, t in pairs if (m[col] is None) != (t[col] is None)]
        problems += [f"{name} {col}: mart {m[col]} != truth {t[col]} (null)" for m, t in nulls]
        known = [(int(m[col]), int(t[col]), m) for m, t in pairs if m[col] is not None]
        off = sum(abs(m - t) for m, t, _ in known)
        allowed = max(1, int(HUMAN_ERROR_SHARE * sum(t for _, t, _ in known)))
        if off > allowed:
            examples = [(m, t) for m, t, _ in known if m != t][:3]
            problems.append(f"{name} {col}: off by {off} in all, above {allowed}: {examples}")
        total = col.replace("human_", "")
        over = [row for m, _, row in known if total in row and m > int(row[total])]
        problems += [f"{name} {col}: above {total} in {row}" for row in over[:3]]
    for col in others:
        differ = [(m[col], t[col]) for m, t in pairs if _time(m[col]) != _time(t[col])]
        allowed = max(1, int(HUMAN_ERROR_SHARE * sum(t[col] is not None for _, t in pairs)))
        if len(differ) > allowed:
            problems.append(
                f"{name} {col}: {len(differ)} rows differ, above {allowed}: {differ[:3]}"
            )
    return problems
