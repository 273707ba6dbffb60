"""The Benchmark Email world digested at a clock, and the per-campaign numbers every report shares.

`Digest(world, now_ms)` reduces the contact events visible at the clock (`available_ms < now`)
to (campaign id, contact id) pairs with the first time of each event type, the hard-bounce flag,
the last open and click per campaign and the clicks per link. From it: the campaign report
(`/api/reports/email/{id}`), the campaign list records (`/api/email/campaign`), and the truth
(`GET /_sandbox/truth/benchmark`, sandbox.benchmark.truth; docs/CONTRACTS.md section 4 and 7.3): counts are distinct
contacts per campaign with a visible event of the kind; a bounced contact is hard when any of
its bounces is `hard` (hard beats soft), else soft; open and click rates are percentages of
delivered, bounce rates of sent, rounded half up on exact integers
(`sandbox.reports.periods.rate`); `last_*_at` are naive UTC with milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandbox.benchmark.model import (
    BOUNCED,
    CANONICAL,
    CLICKED,
    COMPLAINT,
    CREATED,
    DELIVERED,
    DRAFT,
    OPENED,
    REJECTED,
    SENDER,
    SENT,
    UNSUBSCRIBED,
    BenchmarkWorld,
    BmeCampaign,
    BmeContact,
    iso_ms,
)
from sandbox.reports.periods import rate

PREVIEW_IMAGE = "https://cdn.bme.example.com/previews/{id}.png"


@dataclass
class _Link:
    total: int = 0
    contacts: set[str] = field(default_factory=set)


@dataclass
class Digest:
    """The world's visible contact events at `now_ms`, per (campaign id, contact id) pair."""

    world: BenchmarkWorld
    now_ms: int
    firsts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    hard: set[tuple[str, str]] = field(default_factory=set)
    last: dict[tuple[str, str], int] = field(default_factory=dict)  # (campaign, type) → ms
    links: dict[tuple[str, str], _Link] = field(default_factory=lambda: defaultdict(_Link))
    counts: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    created: list[int] = field(default_factory=list)  # creation ms of every existing contact
    # (creation ms, contact) of every contact existing at the clock: the imported ones and those
    # whose `contact-created` event is visible (`POST /api/contact/search` lists these)
    contacts: list[tuple[int, BmeContact]] = field(default_factory=list)
    by_campaign: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.contacts = [(c.created_ms, c) for c in self.world.contacts if c.imported]
        for event in self.world.events:  # in time order: the first seen is the earliest
            if event.available_ms >= self.now_ms:
                continue
            if event.campaign is None:
                if event.type == CREATED:
                    self.contacts.append((event.at_ms, event.contact))
                continue
            cid = event.campaign.id
            key = (cid, event.contact.contact_id)
            firsts = self.firsts.get(key)
            if firsts is None:
                firsts = self.firsts[key] = {}
                self.by_campaign[cid].append(key)
            firsts.setdefault(event.type, event.at_ms)
            self.counts[cid, CANONICAL[event.type]] += 1
            if event.type == BOUNCED and event.field("emailBounceType") == "hard":
                self.hard.add(key)
            elif event.type in (OPENED, CLICKED):
                self.last[cid, event.type] = event.at_ms
            if event.type == CLICKED and event.link is not None:
                link = self.links[cid, event.link.id]
                link.total += 1
                link.contacts.add(event.contact.contact_id)
        if not self.world.contacts_listed:
            self.contacts = []
        self.created = [at for at, _ in self.contacts]

    # -- counting -----------------------------------------------------------------------------

    def pairs(self, campaign_id: str | None = None) -> list[tuple[str, str]]:
        return list(self.firsts) if campaign_id is None else self.by_campaign.get(campaign_id, [])

    def times(self, kind: str, campaign_id: str | None = None, bounce: str = "") -> list[int]:
        """First times of `kind` per pair (bounce "hard"/"soft" narrows bounces to a class)."""
        result = []
        for key in self.pairs(campaign_id):
            at = self.firsts[key].get(kind)
            if at is None or (bounce and (key in self.hard) != (bounce == "hard")):
                continue
            result.append(at)
        return result

    def count(self, kind: str, start: int, end: int, bounce: str = "") -> int:
        return sum(start <= at < end for at in self.times(kind, bounce=bounce))

    def contacts_at(self, at_ms: int) -> int:
        return sum(created < at_ms for created in self.created)

    def campaign_status(self, campaign: BmeCampaign) -> str:
        if campaign.kind == DRAFT or campaign.scheduled_ms is None:
            return "draft"
        if self.now_ms < campaign.scheduled_ms:
            return "scheduled"
        if self.now_ms < (campaign.send_end_ms or 0):
            return "sending"
        return "sent"


def campaign_numbers(d: Digest, campaign_id: str) -> dict[str, int]:
    """Whole-campaign distinct-contact counts at the clock."""
    tally = dict.fromkeys(("sent", "delivered", "opened", "clicked", "hard", "soft"), 0)
    tally.update(unsubscribes=0, complaints=0, rejected=0)
    for key in d.pairs(campaign_id):
        firsts = d.firsts[key]
        for kind, name in (
            (SENT, "sent"),
            (DELIVERED, "delivered"),
            (OPENED, "opened"),
            (CLICKED, "clicked"),
            (UNSUBSCRIBED, "unsubscribes"),
            (COMPLAINT, "complaints"),
            (REJECTED, "rejected"),
        ):
            tally[name] += kind in firsts
        if BOUNCED in firsts:
            tally["hard" if key in d.hard else "soft"] += 1
    return tally


def campaign_report(d: Digest, campaign: BmeCampaign) -> dict[str, Any]:
    """`GET /api/reports/email/{id}`: the whole campaign at the clock, open and click rates on
    delivered, bounce rates on sent (CONTRACTS 4)."""
    n = campaign_numbers(d, campaign.id)
    delivered, bounces = n["delivered"], n["hard"] + n["soft"]

    def engaged(kind: str, name: str) -> dict[str, Any]:
        result: dict[str, Any] = {"unique": n[name], "rate": rate(n[name], delivered)}
        last = d.last.get((campaign.id, kind))
        if last is not None:
            result["last"] = iso_ms(last)
        return result

    return {
        "stats": {
            "sent": n["sent"],
            "delivered": delivered,
            "opens": engaged(OPENED, "opened"),
            "clicks": engaged(CLICKED, "clicked"),
            "totalBounces": {"count": bounces, "rate": rate(bounces, n["sent"])},
            "hardBounces": {"count": n["hard"], "rate": rate(n["hard"], n["sent"])},
            "softBounces": {"count": n["soft"], "rate": rate(n["soft"], n["sent"])},
            "complaints": n["complaints"],
            "unsubscribes": n["unsubscribes"],
        },
        "linkActivity": [
            {
                "id": link.id,
                "path": link.url,
                "clicks": _link_clicks(d, campaign.id, link.id),
            }
            for link in campaign.listed_links
        ],
    }


def _link_clicks(d: Digest, campaign_id: str, link_id: str) -> dict[str, int]:
    link = d.links.get((campaign_id, link_id))
    return (
        {"total": link.total, "unique": len(link.contacts)} if link else {"total": 0, "unique": 0}
    )


def campaign_record(d: Digest, campaign: BmeCampaign) -> dict[str, Any]:
    """A `/api/email/campaign` record: fields that do not apply are omitted (drafts have no
    `scheduledAt`, `sentCount` or `stats`; only sent campaigns have `stats`)."""
    status = d.campaign_status(campaign)
    n = campaign_numbers(d, campaign.id)
    sends = [d.firsts[k][SENT] for k in d.pairs(campaign.id) if SENT in d.firsts[k]]
    updated = campaign.edited_ms
    if status == "sent" and sends:
        updated = max(updated, max(sends))
    record: dict[str, Any] = {
        "_id": campaign.id,
        "name": campaign.name,
        "from": SENDER[0],
        "subject": campaign.subject,
        "previewText": campaign.preview_text,
        "previewImageUrl": PREVIEW_IMAGE.format(id=campaign.id),
        "status": status,
        "subStatus": None,
        "createdAt": iso_ms(campaign.created_ms),
        "updatedAt": iso_ms(updated),
        "cancelledAt": None,
        "totalRecipients": campaign.planned,
        "failedCount": n["rejected"],
    }
    if campaign.scheduled_ms is not None:
        record["scheduledAt"] = iso_ms(campaign.scheduled_ms)
        record["sentCount"] = n["sent"]
    if status == "sent":
        record["stats"] = {
            "sent": n["sent"],
            "delivered": n["delivered"],
            "opens": {"unique": n["opened"], "rate": rate(n["opened"], n["delivered"])},
            "clicks": {"unique": n["clicked"], "rate": rate(n["clicked"], n["delivered"])},
        }
    return record
