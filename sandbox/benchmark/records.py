"""Benchmark Email campaign report and campaign list records at the clock, read off the `Digest`
(sandbox.benchmark.digest): counts are distinct contacts per campaign with a visible event of the
kind; a bounced contact is hard when any of its bounces is `hard` (hard beats soft), else soft;
open and click rates are percentages of delivered, bounce rates of sent, rounded half up on exact
integers (`sandbox.reports.periods.rate`).
"""

from __future__ import annotations

from typing import Any

from sandbox.benchmark.digest import NONE, Digest
from sandbox.benchmark.model import CLICKED, OPENED, SENDER, BmeCampaign, iso_ms
from sandbox.reports.periods import rate

PREVIEW_IMAGE = "https://cdn.bme.example.com/previews/{id}.png"


def campaign_report(d: Digest, campaign: BmeCampaign) -> dict[str, Any]:
    """`GET /api/reports/email/{id}`: the whole campaign at the clock, open and click rates on
    delivered, bounce rates on sent (CONTRACTS 4)."""
    index = d.world.campaign_index[campaign.id]
    n = d.numbers_of(index)
    delivered, bounces = n["delivered"], n["hard"] + n["soft"]

    def engaged(kind: str, name: str) -> dict[str, Any]:
        result: dict[str, Any] = {"unique": n[name], "rate": rate(n[name], delivered)}
        last = d.last_of(kind, index)
        if last is not None:
            result["last"] = iso_ms(last)
        return result

    offset = int(d.world.link_offset[index])
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
                "clicks": {
                    "total": int(d.link_total[offset + slot]),
                    "unique": int(d.link_unique[offset + slot]),
                },
            }
            for slot, link in enumerate(campaign.listed_links)
        ],
    }


def campaign_record(d: Digest, campaign: BmeCampaign) -> dict[str, Any]:
    """A `/api/email/campaign` record: fields that do not apply are omitted (drafts have no
    `scheduledAt`, `sentCount` or `stats`; only sent campaigns have `stats`)."""
    status = d.campaign_status(campaign)
    index = d.world.campaign_index[campaign.id]
    n = d.numbers_of(index)
    updated = campaign.edited_ms
    last_send = int(d.last_first_send[index])
    if status == "sent" and last_send != NONE:
        updated = max(updated, last_send)
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
