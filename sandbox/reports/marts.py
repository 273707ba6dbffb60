"""Ground truth of the report marts `email_campaign_link_activity` and
`email_recipient_suppressions` (docs/CONTRACTS.md section 8), shared by every provider.

Each provider's truth module maps its world's visible events onto two neutral records, by its
own canonical mapping (CONTRACTS 4-7), and the reducers here apply the definitions once:

* `Click(campaign_id, link_url, recipient, clicks, link_id, link_title, at)`: clicks on a link
  (`clicks` is 1 for an event; Maxemail's per-recipient aggregate row carries its highest click
  count seen); `link_id` where the provider identifies links (APSIS One, Benchmark), else None;
  `at` the click's time as naive UTC text. Clicks without a URL are not links and must not be
  passed.
* `ListedLink(campaign_id, link_id, link_url)`: a link the provider lists for a campaign
  (Benchmark's `linkActivity`), clicked or not.
* `Suppression(recipient, kind, at, campaign_id)`: a suppressing event, `kind` one of
  `hard_bounce`, `soft_bounce` (any soft-class bounce: soft, block, unknown), `unsubscribed`,
  `complained`; `at` is the event's time as the truth writes it (naive UTC text of one fixed
  format per provider, so text order is time order).

`link_activity`: one row per campaign and link, where a link is its id when it has one, else its
URL (CONTRACTS.md 8); `unique_click_count` = distinct recipients, `total_click_count` = the sum
of the counts (for Maxemail, whose rows are per recipient and URL, the sum over recipients of the
highest count); listed links nobody clicked have zero counts. A link id's `link_url` is the
listing's, else its latest click's (ties: the greatest URL); `link_title` its latest click's
non-null title. `suppressions`: one row per recipient and reason,
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
    link_id: str | None = None
    link_title: str | None = None
    at: str = ""  # naive UTC text: orders a link id's clicks when its URL or title changed
    machine: bool = False  # issue 16: a machine's click (the truth label)


class ListedLink(NamedTuple):
    campaign_id: str
    link_id: str | None
    link_url: str


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


LinkKey = tuple[str, str, str]  # (campaign id, link id or '', URL when there is no id or '')


def _link_key(campaign_id: str, link_id: str | None, link_url: str) -> LinkKey:
    return (campaign_id, link_id or "", "" if link_id else link_url)


def link_activity(
    clicks: Iterable[Click], listed: Iterable[ListedLink] = (), human: bool = False
) -> list[dict[str, Any]]:
    """`email_campaign_link_activity` rows, sorted by campaign id, link id and URL; `human`
    adds the human columns (issue 16): distinct recipients and clicks of the clicks that are no
    machine's."""
    totals: dict[LinkKey, int] = defaultdict(int)
    recipients: dict[LinkKey, set[str]] = defaultdict(set)
    human_totals: dict[LinkKey, int] = defaultdict(int)
    human_recipients: dict[LinkKey, set[str]] = defaultdict(set)
    urls: dict[LinkKey, tuple[str, str]] = {}  # (at, URL) of the latest click
    titles: dict[LinkKey, tuple[str, str]] = {}  # (at, title) of the latest titled click
    for click in clicks:
        key = _link_key(click.campaign_id, click.link_id, click.link_url)
        totals[key] += click.clicks
        recipients[key].add(click.recipient)
        if not click.machine:
            human_totals[key] += click.clicks
            human_recipients[key].add(click.recipient)
        urls[key] = max(urls.get(key, ("", "")), (click.at, click.link_url))
        if click.link_title:
            titles[key] = max(titles.get(key, ("", "")), (click.at, click.link_title))
    listed_urls: dict[LinkKey, str] = {}
    for link in listed:
        key = _link_key(link.campaign_id, link.link_id, link.link_url)
        totals.setdefault(key, 0)
        listed_urls[key] = link.link_url
    rows = [
        {
            "campaign_id": key[0],
            "link_id": key[1] or None,
            "link_url": listed_urls[key] if key in listed_urls else urls[key][1],
            "link_title": titles[key][1] if key in titles else None,
            "unique_click_count": len(recipients[key]),
            "total_click_count": totals[key],
        }
        for key in sorted(totals)
    ]
    if human:
        for row, key in zip(rows, sorted(totals), strict=True):
            row["human_unique_click_count"] = len(human_recipients[key])
            row["human_total_click_count"] = human_totals[key]
    return rows


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


def marts_truth(
    clicks: Iterable[Click],
    events: Iterable[Suppression],
    listed: Iterable[ListedLink] = (),
    human: bool = False,
) -> dict[str, Any]:
    """The two truth keys every provider's truth document adds (`human`: see link_activity)."""
    return {
        "link_activity": link_activity(clicks, listed, human),
        "suppressions": suppressions(events),
    }
