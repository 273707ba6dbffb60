"""Compare a campaign report mart with the sandbox's ground truth, field by field (used by the
end-to-end tests and by `make demo`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
# issue 16: the opens and clicks no machine rule flagged, on the same bases (CONTRACTS.md 18)
HUMAN_COUNTS = ("human_unique_open_count", "human_unique_click_count")
HUMAN_RATES = ("human_open_rate", "human_click_rate")
HUMAN_TIMES = ("last_human_opened_at", "last_human_clicked_at")


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", ""))


def report_differences(
    mart: list[dict[str, Any]], truth: list[dict[str, Any]], *, human: bool = True
) -> list[str]:
    """Every disagreement between mart rows and truth rows keyed by campaign_id (empty = equal).
    `human`: the human engagement columns too (issue 16); false for a report without them (a
    provider's own campaign report counts machine engagement as engagement)."""
    counts: tuple[str, ...] = COUNTS + (HUMAN_COUNTS if human else ())
    rates: tuple[str, ...] = RATES + (HUMAN_RATES if human else ())
    times: tuple[str, ...] = TIMES + (HUMAN_TIMES if human else ())
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
        for col in counts:
            if int(got[col]) != int(want[col]):
                problems.append(f"{cid} {col}: mart {got[col]} != truth {want[col]}")
        for col in rates:
            # Both sides round half up to 2 decimals from exact counts: equal to the cent.
            if abs(float(got[col]) - float(want[col])) > 1e-9:
                problems.append(f"{cid} {col}: mart {got[col]} != truth {want[col]}")
        for col in times:
            g, w = _time(got[col]), _time(want[col])
            if g != w:
                problems.append(f"{cid} {col}: mart {g} != truth {w}")
    return problems
