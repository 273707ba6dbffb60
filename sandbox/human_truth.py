"""Issue 16: the report marts' human columns against the sandbox's truth, given the flags' errors.

The truth labels every open and click as a human's or a machine's (sandbox.machines); the
warehouse decides with its rules (dbt_project/macros/machine_flags.sql), which are heuristics: a
human who opens within the fast-open window of the delivery is flagged a machine. Such a pair's
first human open is in the truth and not in the warehouse, so a human count over it differs by
that pair, although the mart counts the warehouse's flags exactly. The precision and recall of the
flags are measured on their own (pairs engaged by machines only); here the marts' arithmetic is.

`flag_errors` counts, per campaign and kind, the pairs the warehouse judged otherwise than the
truth: whose first human open (click) in fct_email_deliveries is not the truth's
(`machine_pairs` `first_human_ms`). `accept_flag_errors` takes a mart's rows and its truth rows and
returns the truth rows with the differences those pairs explain taken from the mart, per row and
kind, in the row's scope (its campaign for a row with campaign_id, else the provider): the kind's
human counts (counts, rates, diffs) when no count differs from the truth by more than the
misjudged pairs, and its `last_human_*` time when the scope has a misjudged pair at all. The
caller then compares every column exactly: a difference no misjudged pair explains, or any
difference in a scope without one, is a difference. The one rule of issue 16 for every mart with
human columns: the campaign report (sandbox.compare.report_differences), link activity
(bench.marts_truth.link_differences) and the time-bucketed report marts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

from sandbox.values import normal, recipient_key

# the truth's `machine_pairs` kind -> the marts' human columns of that kind: counts (compared
# with the misjudged pairs), columns derived from them, times (the latest human one)
HUMAN_COLUMNS = {
    "opened": (
        ("human_unique_open_count", "previous_human_unique_open_count"),
        ("human_unique_open_count_diff", "human_open_rate", "previous_human_open_rate",
         "human_open_rate_diff"),
        ("last_human_opened_at",),
    ),
    "clicked": (
        ("human_unique_click_count", "previous_human_unique_click_count",
         "human_total_click_count"),
        ("human_unique_click_count_diff", "human_click_rate", "previous_human_click_rate",
         "human_click_rate_diff"),
        ("last_human_clicked_at",),
    ),
}  # fmt: skip
ALL = "*"  # the provider-wide scope in `FlagErrors.misjudged`
# counts of events, not of pairs: one misjudged pair can hold several of its events, so their
# bound is the misjudged pairs' events (`FlagErrors.misjudged_events`)
EVENT_COUNTS = frozenset({"human_total_click_count"})
EPOCH = datetime(1970, 1, 1)


@dataclass
class FlagErrors:
    """`misjudged`: per (campaign_id, kind) and per (ALL, kind), the warehouse's opened (clicked)
    pairs whose first human open (click) differs from the truth's; `misjudged_events`: the same
    pairs' open (click) events; `engaged`: per kind, the opened (clicked) pairs."""

    misjudged: Counter[tuple[str, str]] = field(default_factory=Counter)
    misjudged_events: Counter[tuple[str, str]] = field(default_factory=Counter)
    engaged: Counter[str] = field(default_factory=Counter)


def flag_errors(
    con: duckdb.DuckDBPyConnection, provider: str, machine_pairs: Iterable[Mapping[str, Any]]
) -> FlagErrors:
    """The warehouse's flags against the truth's `machine_pairs` for one provider: a pair is
    misjudged when its first human open (click) in fct_email_deliveries is not the truth's
    `first_human_ms` (none on one side only, or another time: a human's open flagged a
    machine's moves the first human open to a later one, a machine's taken for a human's to an
    earlier one). A pair the truth does not list was engaged by no one."""
    truth = {
        (p["campaign_id"], recipient_key(p["recipient"]), p["kind"]): p["first_human_ms"]
        for p in machine_pairs
    }
    rows = con.execute(
        "select campaign_id, recipient_key, was_opened, first_human_opened_at, open_event_count, "
        "was_clicked, first_human_clicked_at, click_event_count "
        "from marts.fct_email_deliveries where provider = ?",
        [provider],
    ).fetchall()
    errors = FlagErrors()
    for campaign, key, opened, first_open, opens, clicked, first_click, clicks in rows:
        for kind, engaged, first_human, events in (
            ("opened", opened, first_open, opens),
            ("clicked", clicked, first_click, clicks),
        ):
            if not engaged:
                continue
            errors.engaged[kind] += 1
            if _ms(first_human) != truth.get((campaign, key, kind)):
                for scope in (campaign, ALL):
                    errors.misjudged[(scope, kind)] += 1
                    errors.misjudged_events[(scope, kind)] += events
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
    the module's docstring), and how many (row, kind) were taken. A count null on both sides
    (Maxemail's human total clicks) is left out; one null on one side only stops the kind's
    counts from being taken (the caller reports it)."""
    rows = {tuple(str(r[k]) for k in key): r for r in mart}
    taken = 0
    adjusted = []
    for want in truth:
        got = rows.get(tuple(str(want[k]) for k in key))
        want = dict(want)
        scope = str(want.get("campaign_id", ALL))
        bounds = {k: errors.misjudged[(scope, k)] for k in HUMAN_COLUMNS}
        for kind, (counts, derived, times) in HUMAN_COLUMNS.items():
            if got is None or not bounds[kind]:
                continue
            took = False
            present = [c for c in counts if c in want and c in got]
            known = [c for c in present if want[c] is not None and got[c] is not None]
            if known and all((want[c] is None) == (got[c] is None) for c in present):
                over = [
                    abs(int(got[c]) - int(want[c]))
                    - (
                        errors.misjudged_events[(scope, kind)]
                        if c in EVENT_COUNTS
                        else bounds[kind]
                    )
                    for c in known
                ]
                if any(int(got[c]) != int(want[c]) for c in known) and max(over) <= 0:
                    for column in (*counts, *derived):
                        if column in want and column in got:
                            want[column] = got[column]
                    took = True
            for column in times:
                if column in want and column in got and normal(want[column]) != normal(got[column]):
                    want[column] = got[column]
                    took = True
            taken += took
        adjusted.append(want)
    return adjusted, taken
