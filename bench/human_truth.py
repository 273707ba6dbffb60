"""Issue 16: the report marts' human columns against the sandbox's truth, given the flags' errors.

The truth labels every open and click as a human's or a machine's (sandbox.machines); the
warehouse decides with its rules (dbt_project/macros/machine_flags.sql), which are heuristics: a
human who opens within the fast-open window of the delivery is flagged a machine. Such a pair's
first human open is in the truth and not in the warehouse, so a human count over it differs by
that pair, although the mart counts the warehouse's flags exactly. The precision and recall of the
flags are measured on their own (pairs engaged by machines only); here the marts' arithmetic is.

`flag_errors` counts, per campaign and kind, the pairs the warehouse judged otherwise than the
truth: whose first human open (click) in fct_email_deliveries is not the truth's
(`machine_pairs` `first_human_ms`). `accept_flag_errors` takes a mart's rows and its truth rows and,
where a row's human counts differ from the truth by no more than the misjudged pairs in its scope
(its campaign for a row with campaign_id, else the provider), takes that kind's human columns
(counts, rates, diffs) from the mart. Every other column, and every human column of a row whose
difference the flags' errors do not explain, is still compared exactly by the caller.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

# the truth's `machine_pairs` kind -> the marts' human columns of that kind (counts first)
HUMAN_COLUMNS = {
    "opened": (
        ("human_unique_open_count", "previous_human_unique_open_count"),
        ("human_unique_open_count_diff", "human_open_rate", "previous_human_open_rate",
         "human_open_rate_diff"),
    ),
    "clicked": (
        ("human_unique_click_count", "previous_human_unique_click_count"),
        ("human_unique_click_count_diff", "human_click_rate", "previous_human_click_rate",
         "human_click_rate_diff"),
    ),
}  # fmt: skip
ALL = "*"  # the provider-wide scope in `FlagErrors.misjudged`
EPOCH = datetime(1970, 1, 1)


@dataclass
class FlagErrors:
    """`misjudged`: per (campaign_id, kind) and per (ALL, kind), the warehouse's opened (clicked)
    pairs whose first human open (click) differs from the truth's; `engaged`: per kind, the
    opened (clicked) pairs."""

    misjudged: Counter[tuple[str, str]] = field(default_factory=Counter)
    engaged: Counter[str] = field(default_factory=Counter)


def flag_errors(
    con: duckdb.DuckDBPyConnection, provider: str, machine_pairs: Iterable[Mapping[str, Any]]
) -> FlagErrors:
    """The warehouse's flags against the truth's `machine_pairs` for one provider: a pair is
    misjudged when its first human open (click) in fct_email_deliveries is not the truth's
    `first_human_ms` (none on one side only, or another time: a human's open flagged a
    machine's moves the first human open to a later one, a machine's taken for a human's to an
    earlier one). A pair the truth does not list was engaged by no one."""
    from bench.marts_truth import recipient_key

    truth = {
        (p["campaign_id"], recipient_key(p["recipient"]), p["kind"]): p["first_human_ms"]
        for p in machine_pairs
    }
    rows = con.execute(
        "select campaign_id, recipient_key, was_opened, first_human_opened_at, was_clicked, "
        "first_human_clicked_at from marts.fct_email_deliveries where provider = ?",
        [provider],
    ).fetchall()
    errors = FlagErrors()
    for campaign, key, opened, first_human_open, clicked, first_human_click in rows:
        for kind, engaged, first_human in (
            ("opened", opened, first_human_open),
            ("clicked", clicked, first_human_click),
        ):
            if not engaged:
                continue
            errors.engaged[kind] += 1
            if _ms(first_human) != truth.get((campaign, key, kind)):
                errors.misjudged[(campaign, kind)] += 1
                errors.misjudged[(ALL, kind)] += 1
    return errors


def _ms(at: datetime | None) -> int | None:
    """A naive UTC timestamp as epoch ms (None stays None)."""
    return None if at is None else (at - EPOCH) // timedelta(milliseconds=1)


def accept_flag_errors(
    mart: list[dict[str, Any]],
    truth: list[dict[str, Any]],
    key: tuple[str, ...],
    errors: FlagErrors,
) -> tuple[list[dict[str, Any]], int]:
    """The truth rows with the human columns the flags' errors explain taken from the mart (see
    the module's docstring), and how many (row, kind) were taken."""
    rows = {tuple(str(r[k]) for k in key): r for r in mart}
    taken = 0
    adjusted = []
    for want in truth:
        got = rows.get(tuple(str(want[k]) for k in key))
        want = dict(want)
        for kind, (counts, derived) in HUMAN_COLUMNS.items():
            scope = str(want.get("campaign_id", ALL))
            bound = errors.misjudged[(scope, kind)]
            present = [c for c in counts if c in want]
            if got is None or not bound or not present or any(c not in got for c in present):
                continue
            gaps = [abs(int(got[c]) - int(want[c])) for c in present]
            if any(gaps) and max(gaps) <= bound:
                for column in (*counts, *derived):
                    if column in want and column in got:
                        want[column] = got[column]
                taken += 1
        adjusted.append(want)
    return adjusted, taken
