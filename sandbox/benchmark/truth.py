"""Ground truth of Benchmark Email (`GET /_sandbox/truth/benchmark`, docs/CONTRACTS.md 4, 7.3,
8-10): section 4's campaign report per campaign with a visible event (`campaign_id` = `_id`),
equal to `/api/reports/email/{id}`'s `stats`, plus `event_counts` (contact events per campaign
and canonical type; every event is logical), the marts' link activity and suppressions
(sandbox.benchmark.marts), and the report marts' pairs (the `PairTable` of
sandbox.benchmark.pairs) and campaigns (`campaigns`), all read off the simulator's `Digest` at
the clock with array operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.benchmark.digest import CAMPAIGN_TYPES, Digest
from sandbox.benchmark.human import engagement
from sandbox.benchmark.marts import link_activity, suppressions
from sandbox.benchmark.model import CANONICAL, CLICKED, OPENED
from sandbox.benchmark.pairs import pair_table, pairs
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.human import human_counts, human_report_columns, machine_pairs
from sandbox.reports.overall import CampaignFacts
from sandbox.reports.params import report_params
from sandbox.timeutil import from_ms, naive_ms, rfc3339

__all__ = ["benchmark_truth", "campaigns", "pair_table", "pairs", "truth"]

CANONICAL_ORDER = tuple(CANONICAL.values())
_COLUMN = {CANONICAL[name]: column for column, name in enumerate(CAMPAIGN_TYPES)}


def truth(digest: Digest, query: Mapping[str, str] | None) -> dict[str, Any]:
    """The whole truth document at the digest's clock (`query`: the report parameters; contacts
    for the dashboard's contact columns). Benchmark has no unmapped-type surprise."""
    return truth_document(
        benchmark_truth(digest),
        pair_table(digest),
        campaigns(digest),
        report_params(query, digest.now_ms),
        contacts=digest.created,
    )


def benchmark_truth(d: Digest) -> dict[str, Any]:
    """`GET /_sandbox/truth/benchmark`: CONTRACTS section 4's campaign report per campaign with a
    visible event (`campaign_id` = `_id`), equal to `/api/reports/email/{id}`'s `stats`, plus
    `event_counts` (contact events per campaign and canonical type; every event is logical)."""
    report, counts = [], []
    world = d.world
    with_events = d.has_events()
    e = engagement(d)
    human = human_counts(e, len(world.campaigns))
    for campaign_id in sorted(c.id for i, c in enumerate(world.campaigns) if with_events[i]):
        index = world.campaign_index[campaign_id]
        n = d.numbers_of(index)
        last_open, last_click = d.last_of(OPENED, index), d.last_of(CLICKED, index)
        report.append(
            report_row(
                campaign_id,
                sent=n["sent"],
                delivered=n["delivered"],
                opened=n["opened"],
                last_opened_at=None if last_open is None else naive_ms(last_open),
                clicked=n["clicked"],
                last_clicked_at=None if last_click is None else naive_ms(last_click),
                hard=n["hard"],
                soft=n["soft"],
                unsubscribes=n["unsubscribes"],
                complaints=n["complaints"],
                **human_report_columns(human, index, naive_ms),
            )
        )
        row = d.event_counts[index].tolist()
        for event_type in CANONICAL_ORDER:
            if row[_COLUMN[event_type]]:
                counts.append(
                    {
                        "campaign_id": campaign_id,
                        "event_type": event_type,
                        "count": row[_COLUMN[event_type]],
                    }
                )
    return {
        "now": rfc3339(from_ms(d.now_ms)),
        "campaign_report": report,
        "event_counts": counts,
        "link_activity": link_activity(d),
        "suppressions": suppressions(d),
        "machine_pairs": machine_pairs(e),
    }


def campaigns(d: Digest) -> list[CampaignFacts]:
    """Every campaign, scheduled at `scheduledAt` (drafts have none)."""
    return [CampaignFacts(c.id, c.name, c.scheduled_ms) for c in d.world.campaigns]
