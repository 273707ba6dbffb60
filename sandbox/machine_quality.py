"""Precision and recall of the warehouse's machine flags (issue 16) against the sandbox's truth.

The unit is the (campaign, recipient) pair and the kind (opened, clicked), because the marts
count pairs and Maxemail's aggregated rows have no event-level truth. The truth document of each
provider (`/_sandbox/truth/<provider>`, key `machine_pairs`) lists every pair engaged at all with
`has_machine` and `has_human`; `marts.fct_email_deliveries` holds the warehouse's verdict:

* positive: engaged by machines only (`has_machine and not has_human`);
* flagged: `was_opened and not was_opened_by_human` (clicks alike: the pair was opened, and no
  open survived the machine rules).

The two are joined per provider on (campaign_id, recipient_key), the key computed from the truth's
address as the dbt project pseudonymises it (bench.marts_truth.recipient_key). A pair engaged in
the warehouse but absent from the truth, or the reverse, is counted in `unmatched`: with the
totals equal to the truth it is 0, and the tests hold it there.

`machine_reasons` adds the flagged events per `machine_reason` of `marts.fct_email_events`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from sandbox.values import recipient_key

KINDS = ("opened", "clicked")
KIND_LABELS = {"opened": "opens", "clicked": "clicks"}
POOLED = "all"
POOLED_LABEL = "all providers"
# fct_email_deliveries: (engaged at all, engaged by a human) per kind
MART_COLUMNS = {
    "opened": ("was_opened", "was_opened_by_human"),
    "clicked": ("was_clicked", "was_clicked_by_human"),
}


@dataclass(frozen=True)
class Confusion:
    """Pair counts of one provider (or all) and kind."""

    pairs: int = 0  # engaged pairs (truth or warehouse)
    true_positive: int = 0  # machine-only and flagged
    false_positive: int = 0  # flagged, a human engaged
    false_negative: int = 0  # machine-only, not flagged
    unmatched: int = 0  # engaged in only one of truth and warehouse

    @property
    def positives(self) -> int:
        return self.true_positive + self.false_negative

    @property
    def flagged(self) -> int:
        return self.true_positive + self.false_positive

    @property
    def precision(self) -> float | None:
        return self.true_positive / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positive / self.positives if self.positives else None

    def __add__(self, other: Confusion) -> Confusion:
        return Confusion(
            self.pairs + other.pairs,
            self.true_positive + other.true_positive,
            self.false_positive + other.false_positive,
            self.false_negative + other.false_negative,
            self.unmatched + other.unmatched,
        )


def _mart_pairs(
    con: duckdb.DuckDBPyConnection, provider: str, kind: str
) -> dict[tuple[str, str], bool]:
    """The provider's pairs engaged (`kind`) in the warehouse: (campaign_id, recipient_key) ->
    flagged (no human engagement of that kind survived the rules)."""
    engaged, human = MART_COLUMNS[kind]
    rows = con.execute(
        f"select cast(campaign_id as varchar), recipient_key, not coalesce({human}, false) "
        f"from marts.fct_email_deliveries where provider = ? and {engaged}",
        [provider],
    ).fetchall()
    pairs = {(c, r): bool(f) for c, r, f in rows}
    if len(pairs) != len(rows):  # two accounts of one provider sharing a campaign id
        raise ValueError(f"{provider}: (campaign_id, recipient_key) is not unique")
    return pairs


def confusion(
    truth_pairs: Iterable[Mapping[str, Any]], mart: Mapping[tuple[str, str], bool], kind: str
) -> Confusion:
    """One provider's confusion for `kind` from its truth `machine_pairs` and `_mart_pairs`."""
    tp = fp = fn = unmatched = 0
    seen = set()
    for row in truth_pairs:
        if row["kind"] != kind:
            continue
        key = (str(row["campaign_id"]), recipient_key(row["recipient"]))
        seen.add(key)
        positive = bool(row["has_machine"]) and not row["has_human"]
        flagged = mart.get(key)
        if flagged is None:
            unmatched += 1
            flagged = False
        tp += positive and flagged
        fp += (not positive) and flagged
        fn += positive and not flagged
    extra = [flagged for key, flagged in mart.items() if key not in seen]
    return Confusion(len(seen) + len(extra), tp, fp + sum(extra), fn, unmatched + len(extra))


def pair_quality(
    warehouse: str, truths: Mapping[str, Mapping[str, Any]]
) -> dict[tuple[str, str], Confusion]:
    """(provider, kind) -> Confusion for every provider in `truths` (truth documents), plus
    (POOLED, kind) over all of them."""
    result: dict[tuple[str, str], Confusion] = {}
    with duckdb.connect(warehouse, read_only=True) as con:
        for kind in KINDS:
            pooled = Confusion()
            for provider, truth in truths.items():
                one = confusion(truth["machine_pairs"], _mart_pairs(con, provider, kind), kind)
                result[(provider, kind)] = one
                pooled += one
            result[(POOLED, kind)] = pooled
    return result


def machine_reasons(warehouse: str) -> dict[str, dict[str, int]]:
    """provider -> "<event type> <machine_reason>" -> events flagged, from fct_email_events."""
    with duckdb.connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select provider, event_type, machine_reason, count(*) from marts.fct_email_events "
            "where machine_reason is not null group by 1, 2, 3 order by 1, 2 desc, 3"
        ).fetchall()
    reasons: dict[str, dict[str, int]] = {}
    for provider, event_type, reason, n in rows:
        reasons.setdefault(provider, {})[f"{event_type} {reason}"] = int(n)
    return reasons


def _ratio(value: float | None) -> str:
    """Three decimals rounded down (a printed 0.950 is never a 0.9496), '-' when undefined."""
    return "-" if value is None else f"{math.floor(value * 1000) / 1000:.3f}"


TABLE_TITLE = "Machine engagement: precision and recall of the flags, per (campaign, recipient)"
LEGEND = (
    "(machine-only: engaged by the world's machines alone; flagged: no human one left by the rules)"
)
HEADER = ("provider", "kind", "pairs", "machine-only", "flagged", "precision", "recall")


def quality_lines(
    quality: Mapping[tuple[str, str], Confusion],
    reasons: Mapping[str, Mapping[str, int]],
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """The table `make demo` prints: one line per provider and kind, then the pooled ones, then
    the flagged events per reason."""
    names = {POOLED: POOLED_LABEL, **(names or {})}
    widths = (15, 6, 6, 12, 7, 9, 6)
    rows: list[Sequence[str]] = [HEADER]
    providers = [p for p, _ in quality if p != POOLED]
    for provider in [*dict.fromkeys(providers), POOLED]:
        for kind in KINDS:
            c = quality[(provider, kind)]
            rows.append(
                (
                    names.get(provider, provider),
                    KIND_LABELS[kind],
                    str(c.pairs),
                    str(c.positives),
                    str(c.flagged),
                    _ratio(c.precision),
                    _ratio(c.recall),
                )
            )
    lines = [TABLE_TITLE, LEGEND]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  " + "  ".join(cells))
    lines.append("Flagged events per machine_reason (fct_email_events):")
    for provider in [*dict.fromkeys(providers), *(p for p in reasons if p not in providers)]:
        counts = reasons.get(provider, {})
        text = ", ".join(f"{reason} {n:,}" for reason, n in counts.items()) or "none"
        lines.append(f"  {names.get(provider, provider)}: {text}")
    return lines


def print_quality(
    warehouse: str,
    truths: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], Confusion]:
    """Print the table for `warehouse` against `truths`; return the figures."""
    quality = pair_quality(warehouse, truths)
    print()
    print("\n".join(quality_lines(quality, machine_reasons(warehouse), names)))
    return quality
