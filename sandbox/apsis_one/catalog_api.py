"""APSIS One audience and activity endpoints of the simulator (PROVIDERS.md 2.2 and 2.5).

* `GET /audience/sections` → `{"items": [{"discriminator", "name"}]}`
* `GET /audience/sections/{s}/attributes` → `{"items": [{"discriminator", "name", "type",
  "version_id"}]}` (the version ids export mappings use)
* `GET /audience/sections/{s}/tags` → `{"items": [{"discriminator", "name"}]}`
* `GET /emails/sections/{s}/activities` → `{"items": [activity, ...]}`, newest first
* `GET /emails/section/{s}/activities/{id}` (the spec's singular form) and `/emails/sections/…`

An activity is `{"id", "name", "type": "email", "status", "sent_at", "subject", "sender",
"splits": [{"id", "name"}]}` (ASSUMPTION, PROVIDERS.md 2.5; a plain send has `[]`, or no key at all
with `WorldConfig.omit_empty_splits`). Campaigns whose `sent_at` is not before the world clock are
listed too, with status `scheduled`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.apsis_one.model import Campaign
from sandbox.apsis_one.world import ApsisWorld
from sandbox.audience import Section
from sandbox.clock import Clock
from sandbox.timeutil import rfc3339
from sandbox.web import ProblemError, Request, Response, json_response

Route = tuple[str, re.Pattern[str], Callable[[Request, re.Match[str]], Response]]


class CatalogHandlers:
    """Read-only views of the world's sections, attribute/tag definitions and activities."""

    def __init__(self, world: ApsisWorld, clock: Clock) -> None:
        self.world, self.clock = world, clock

    def routes(self) -> list[Route]:
        return [
            ("GET", re.compile(r"/audience/sections"), self.sections),
            ("GET", re.compile(r"/audience/sections/(?P<s>[^/]+)/attributes"), self.attributes),
            ("GET", re.compile(r"/audience/sections/(?P<s>[^/]+)/tags"), self.tags),
            ("GET", re.compile(r"/emails/sections/(?P<s>[^/]+)/activities"), self.activities),
            (
                "GET",
                re.compile(r"/emails/sections?/(?P<s>[^/]+)/activities/(?P<id>[^/]+)"),
                self.activity,
            ),
        ]

    def _section(self, discriminator: str) -> Section:
        section = self.world.section(discriminator)
        if section is None:
            raise ProblemError(404, "Not Found", f"no section {discriminator}")
        return section

    def _activity(self, campaign: Campaign) -> dict[str, Any]:
        sent = campaign.sent_at < self.clock.now
        activity: dict[str, Any] = {
            "id": campaign.id,
            "name": campaign.name,
            "type": "email",
            "status": "sent" if sent else "scheduled",
            "sent_at": rfc3339(campaign.sent_at),
            "subject": campaign.subject,
            "sender": campaign.sender,
            "splits": [{"id": s.split_id, "name": s.split_activity_name} for s in campaign.splits],
        }
        if not campaign.splits and self.world.omit_empty_splits:
            del activity["splits"]  # mode no_split_tests: a plain send without the key
        return activity

    def sections(self, request: Request, match: re.Match[str]) -> Response:
        """`GET /audience/sections`."""
        items = [{"discriminator": s.discriminator, "name": s.name} for s in self.world.sections]
        return json_response(200, {"items": items})

    def attributes(self, request: Request, match: re.Match[str]) -> Response:
        """`GET /audience/sections/{s}/attributes`."""
        self._section(match["s"])
        items = [
            {
                "discriminator": f"com.apsis1.attributes.{a.name}",
                "name": a.name,
                "type": a.type,
                "version_id": a.version_id,
            }
            for a in self.world.attributes
        ]
        return json_response(200, {"items": items})

    def tags(self, request: Request, match: re.Match[str]) -> Response:
        """`GET /audience/sections/{s}/tags`."""
        self._section(match["s"])
        items = [{"discriminator": t.discriminator, "name": t.name} for t in self.world.tags]
        return json_response(200, {"items": items})

    def activities(self, request: Request, match: re.Match[str]) -> Response:
        """`GET /emails/sections/{s}/activities`, newest first."""
        section = self._section(match["s"])
        campaigns = [c for c in self.world.campaigns if c.section == section]
        campaigns.sort(key=lambda c: c.sent_at, reverse=True)
        return json_response(200, {"items": [self._activity(c) for c in campaigns]})

    def activity(self, request: Request, match: re.Match[str]) -> Response:
        """`GET /emails/section(s)/{s}/activities/{id}`."""
        section = self._section(match["s"])
        for campaign in self.world.campaigns:
            if campaign.id == match["id"] and campaign.section == section:
                return json_response(200, self._activity(campaign))
        raise ProblemError(404, "Not Found", f"no activity {match['id']} in section {section}")
