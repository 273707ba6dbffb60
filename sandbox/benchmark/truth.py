"""Ground truth of Benchmark Email (`GET /_sandbox/truth/benchmark`, docs/CONTRACTS.md 4, 7.3,
8-10): section 4's campaign report per campaign with a visible event (`campaign_id` = `_id`),
equal to `/api/reports/email/{id}`'s `stats`, plus `event_counts` (contact events per campaign
and canonical type; every event is logical), the marts' link activity and suppressions, and the
report marts' pairs (`pairs`) and campaigns (`campaigns`), all read off the simulator's `Digest`
at the clock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.benchmark.digest import Digest, campaign_numbers
from sandbox.benchmark.model import BOUNCED, CANONICAL, CLICKED, COMPLAINT, OPENED, UNSUBSCRIBED
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.marts import (
    COMPLAINED,
    HARD_BOUNCE,
    SOFT_BOUNCE,
    Click,
    ListedLink,
    Suppression,
    marts_truth,
)
from sandbox.reports.marts import UNSUBSCRIBED as UNSUBSCRIBED_REASON
from sandbox.reports.overall import CampaignFacts
from sandbox.reports.pairs import KINDS, PairDigest, PairFacts
from sandbox.reports.params import report_params
from sandbox.timeutil import from_ms, naive_ms, rfc3339

CANONICAL_ORDER = tuple(CANONICAL.values())


def truth(digest: Digest, query: Mapping[str, str] | None) -> dict[str, Any]:
    """The whole truth document at the digest's clock (`query`: the report parameters; contacts
    for the dashboard's contact columns). Benchmark has no unmapped-type surprise."""
    return truth_document(
        benchmark_truth(digest),
        pairs(digest),
        campaigns(digest),
        report_params(query, digest.now_ms),
        contacts=digest.created,
    )


def benchmark_truth(d: Digest) -> dict[str, Any]:
    """`GET /_sandbox/truth/benchmark`: CONTRACTS section 4's campaign report per campaign with a
    visible event (`campaign_id` = `_id`), equal to `/api/reports/email/{id}`'s `stats`, plus
    `event_counts` (contact events per campaign and canonical type; every event is logical)."""
    report, counts = [], []
    for campaign_id in sorted(d.by_campaign):
        n = campaign_numbers(d, campaign_id)
        delivered = n["delivered"]
        last_open, last_click = (
            d.last.get((campaign_id, OPENED)),
            d.last.get((campaign_id, CLICKED)),
        )
        report.append(
            report_row(
                campaign_id,
                sent=n["sent"],
                delivered=delivered,
                opened=n["opened"],
                last_opened_at=None if last_open is None else naive_ms(last_open),
                clicked=n["clicked"],
                last_clicked_at=None if last_click is None else naive_ms(last_click),
                hard=n["hard"],
                soft=n["soft"],
                unsubscribes=n["unsubscribes"],
                complaints=n["complaints"],
            )
        )
        for event_type in CANONICAL_ORDER:
            if d.counts.get((campaign_id, event_type)):
                counts.append(
                    {
                        "campaign_id": campaign_id,
                        "event_type": event_type,
                        "count": d.counts[campaign_id, event_type],
                    }
                )
    return {
        "now": rfc3339(from_ms(d.now_ms)),
        "campaign_report": report,
        "event_counts": counts,
        **marts_truth(*_mart_events(d), _listed_links(d)),
    }


def _listed_links(d: Digest) -> list[ListedLink]:
    """Every `linkActivity` entry of the campaigns whose report the loader snapshots (status
    `sent` or `sending` at the clock, pipelines.benchmark.settings.REPORTED_STATUSES)."""
    return [
        ListedLink(campaign.id, link.id, link.url)
        for campaign in d.world.campaigns
        if d.campaign_status(campaign) in ("sent", "sending")
        for link in campaign.listed_links
    ]


def _mart_events(d: Digest) -> tuple[list[Click], list[Suppression]]:
    """Visible clicks on a link, and suppressing events (bounce class from `emailBounceType`,
    provider first: `hard` hard, anything else soft; unsubscribes, complaints), for
    sandbox.marts_truth; the recipient is the contact's lower-cased address (`emailTo`)."""
    clicks: list[Click] = []
    stops: list[Suppression] = []
    for event in d.world.events:
        if event.available_ms >= d.now_ms or event.type not in _MART_TYPES:
            continue
        key = event.contact.recipient.address.lower()
        campaign_id = event.campaign.id if event.campaign is not None else None
        if event.type == CLICKED:
            if event.link is not None and campaign_id is not None:
                link, at = event.link, naive_ms(event.at_ms)
                clicks.append(Click(campaign_id, link.url, key, 1, link.id, None, at))
            continue
        if event.type == BOUNCED:
            hard = event.field("emailBounceType") == "hard"
            reason = HARD_BOUNCE if hard else SOFT_BOUNCE
        else:
            reason = COMPLAINED if event.type == COMPLAINT else UNSUBSCRIBED_REASON
        stops.append(Suppression(key, reason, naive_ms(event.at_ms), campaign_id))
    return clicks, stops


_MART_TYPES = frozenset({CLICKED, BOUNCED, COMPLAINT, UNSUBSCRIBED})


def pairs(d: Digest) -> list[PairFacts]:
    """The campaign contact events visible at the Digest's clock (the simulator's reports read
    the same pairs); a bounce is hard when its `emailBounceType` is `hard`, else soft."""
    digest = PairDigest()
    for event in d.world.events:
        if event.available_ms >= d.now_ms or event.campaign is None:
            continue
        campaign_id, contact_id = event.campaign.id, event.contact.contact_id
        if event.type == BOUNCED:
            klass = "hard" if event.field("emailBounceType") == "hard" else "soft"
            digest.bounce(campaign_id, contact_id, event.at_ms, klass)
        elif CANONICAL.get(event.type) in KINDS:
            digest.note(campaign_id, contact_id, CANONICAL[event.type], event.at_ms)
    return digest.facts()


def campaigns(d: Digest) -> list[CampaignFacts]:
    """Every campaign, scheduled at `scheduledAt` (drafts have none)."""
    return [CampaignFacts(c.id, c.name, c.scheduled_ms) for c in d.world.campaigns]
