"""A provider's whole truth document (`GET /_sandbox/truth/<provider>`, docs/CONTRACTS.md 4-14):
its own keys, then the report marts', the overall marts' and `unmapped_event_types`, in that
order for every provider."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sandbox.reports.overall import CampaignFacts, overall_truth
from sandbox.reports.pairs import PairFacts
from sandbox.reports.params import ReportParams
from sandbox.reports.truth import report_truth


def truth_document(
    own: dict[str, Any],
    pairs: Sequence[PairFacts],
    campaigns: Sequence[CampaignFacts],
    params: ReportParams,
    unmapped: Iterable[dict[str, Any]] = (),
    contacts: Sequence[int] | None = None,
) -> dict[str, Any]:
    """`own` (`now`, `campaign_report`, `event_counts`, `link_activity`, `suppressions`), the
    report marts' keys (`contacts`: creation ms of every contact, for a provider with contact
    data), the overall marts' keys and the surprise events served (section 14)."""
    return {
        **own,
        **report_truth(pairs, params, contacts),
        **overall_truth(pairs, campaigns, params),
        "unmapped_event_types": list(unmapped),
    }
