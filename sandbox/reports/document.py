"""A provider's whole truth document (`GET /_sandbox/truth/<provider>`, docs/CONTRACTS.md 4-14):
its own keys, then the report marts', the overall marts' and `unmapped_event_types`, in that
order for every provider."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sandbox.reports.overall import CampaignFacts, overall_truth
from sandbox.reports.params import ReportParams
from sandbox.reports.table import Pairs, as_table
from sandbox.reports.truth import report_truth


def truth_document(
    own: dict[str, Any],
    pairs: Pairs,
    campaigns: Sequence[CampaignFacts],
    params: ReportParams,
    unmapped: Iterable[dict[str, Any]] = (),
    contacts: Sequence[int] | None = None,
) -> dict[str, Any]:
    """`own` (`now`, `campaign_report`, `event_counts`, `link_activity`, `suppressions`), the
    report marts' keys (`contacts`: creation ms of every contact, for a provider with contact
    data), the overall marts' keys and the surprise events served (section 14). `pairs`: a
    `PairTable` (sandbox.reports.table), or a list of `PairFacts` (converted once)."""
    pairs = as_table(pairs)
    return {
        **own,
        **report_truth(pairs, params, contacts),
        **overall_truth(pairs, campaigns, params),
        "unmapped_event_types": list(unmapped),
    }
