"""Ground truth of the report marts `email_campaign_link_activity` and
`email_recipient_suppressions` (docs/CONTRACTS.md section 8), shared by every provider.

Each provider's truth module maps its world's visible events onto two neutral records, by its
own canonical mapping (CONTRACTS 4-7), and the reducers here apply the definitions once:

* `Click(campaign_id, link_url, recipient, clicks)`: clicks on a URL (`clicks` is 1 for an
  event; Maxemail's per-recipient aggregate row carries its highest click count seen). Clicks
  without a URL are not links and must not be passed.
* `Suppression(recipient, kind, at, campaign_id)`: a suppressing event, `kind` one of
  `hard_bounce`, `soft_bounce` (any soft-class bounce: soft, block, unknown), `unsubscribed`,
  `complained`; `at` is the event's time as the truth writes it (naive UTC text of one fixed
  format per provider, so text order is time order).

`link_activity`: one row per campaign and URL, `unique_click_count` = distinct recipients,
`total_click_count` = the sum of the counts (for Maxemail, whose rows are per recipient and URL,
the sum over recipients of the highest count). `suppressions`: one row per recipient and reason,
`hard_bounce` (the first hard bounce), `repeated_soft_bounce` (the `SOFT_BOUNCE_THRESHOLD`-th
soft-class bounce over all campaigns), `unsubscribed`, `complained` (the first), with
`suppressed_since` = that event's time and its `campaign_id`. Events at the same time are ordered
by campaign id. Recipients are lower-cased addresses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

HARD_BOUNCE, SOFT_BOUNCE = "hard_bounce", "soft_bounce"
UNSUBSCRIBED, COMPLAINED = "unsubscribed", "complained"
REPEATED_SOFT_BOUNCE = "repeated_soft_bounce"
SOFT_BOUNCE_THRESHOLD = 3  # dbt var suppression_soft_bounce_threshold
SOFT_CLASSES = frozenset({"soft", "block", "unknown"})  # bounce classes that count as soft


class Click(NamedTuple):
    campaign_id: str
    link_url: str
    recipient: str
    clicks: int = 1


class Suppression(NamedTuple):
    recipient: str
    kind: str  # HARD_BOUNCE | SOFT_BOUNCE | UNSUBSCRIBED | COMPLAINED
    at: str  # naive UTC text
    campaign_id: str | None


def bounce_kind(bounce_class: str) -> str | None:
    """The suppression kind of a bounce class: hard, soft-class, or None (informational)."""
    if bounce_class == "hard":
        return HARD_BOUNCE
    if bounce_class in SOFT_CLASSES:
        return SOFT_BOUNCE
    return None


def link_activity(clicks: Iterable[Click]) -> list[dict[str, Any]]:
    """`email_campaign_link_activity` rows, sorted by campaign id and URL."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    recipients: dict[tuple[str, str], set[str]] = defaultdict(set)
    for click in clicks:
        key = (click.campaign_id, click.link_url)
        totals[key] += click.clicks
        recipients[key].add(click.recipient)
    return [
        {
            "campaign_id": campaign_id,
            "link_url": link_url,
            "unique_click_count": len(recipients[campaign_id, link_url]),
            "total_click_count": totals[campaign_id, link_url],
        }
        for campaign_id, link_url in sorted(totals)
    ]


def suppressions(
    events: Iterable[Suppression], soft_threshold: int = SOFT_BOUNCE_THRESHOLD
) -> list[dict[str, Any]]:
    """`email_recipient_suppressions` rows, sorted by recipient and reason."""
    ordered = sorted(events, key=lambda e: (e.at, e.campaign_id or ""))
    found: dict[tuple[str, str], Suppression] = {}
    softs: dict[str, int] = defaultdict(int)
    for event in ordered:
        reason = event.kind
        if reason == SOFT_BOUNCE:
            softs[event.recipient] += 1
            if softs[event.recipient] != soft_threshold:
                continue
            reason = REPEATED_SOFT_BOUNCE
        found.setdefault((event.recipient, reason), event)
    return [
        {
            "recipient": recipient,
            "reason": reason,
            "suppressed_since": event.at,
            "campaign_id": event.campaign_id,
        }
        for (recipient, reason), event in sorted(found.items())
    ]


def marts_truth(clicks: Iterable[Click], events: Iterable[Suppression]) -> dict[str, Any]:
    """The two truth keys every provider's truth document adds."""
    return {"link_activity": link_activity(clicks), "suppressions": suppressions(events)}
