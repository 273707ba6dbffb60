"""The Benchmark Email world digested at a clock: what every report, listing and the truth share.

`Digest(world, now_ms)` reduces the contact events visible at the clock (`available_ms < now`)
with array operations over the world's columns (sandbox.benchmark.store): per campaign event type
the first visible event of each journey, i.e. of each (campaign, contact) pair (`firsts`); the
pairs' bounce class (hard when any of its bounces is `hard`, else soft); per campaign the
distinct-contact counts (`numbers`), the events per type (`event_counts`), the last open and click
and the latest first send; per link the clicks and distinct clickers; the contacts existing at the
clock. From it: the campaign report and list records (sandbox.benchmark.records), the reports
(sandbox.benchmark.reports) and the truth (sandbox.benchmark.truth; docs/CONTRACTS.md section 4
and 7.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.benchmark.model import (
    BOUNCED,
    CANONICAL,
    CLICKED,
    COMPLAINT,
    CREATED,
    DELAYED,
    DELIVERED,
    DRAFT,
    OPENED,
    REJECTED,
    SENT,
    TYPE_CODE,
    UNSUBSCRIBED,
    BmeCampaign,
)
from sandbox.benchmark.store import BenchmarkWorld

CAMPAIGN_TYPES = (
    SENT,
    DELIVERED,
    OPENED,
    CLICKED,
    BOUNCED,
    UNSUBSCRIBED,
    COMPLAINT,
    REJECTED,
    DELAYED,
)
# campaign_numbers keys, in the columns of `Digest.numbers`
NUMBERS = (
    "sent",
    "delivered",
    "opened",
    "clicked",
    "hard",
    "soft",
    "unsubscribes",
    "complaints",
    "rejected",
)
# event type → the `numbers` column of its distinct contacts (bounces split into hard and soft)
_NUMBER_OF = {
    SENT: "sent",
    DELIVERED: "delivered",
    OPENED: "opened",
    CLICKED: "clicked",
    UNSUBSCRIBED: "unsubscribes",
    COMPLAINT: "complaints",
    REJECTED: "rejected",
}
NONE = -1  # "no such time"


@dataclass(frozen=True)
class Firsts:
    """The first visible event of one type per journey that has one: journeys ascending, their
    campaign, and the event's time (the journey's earliest of the type)."""

    journey: np.ndarray  # int32
    campaign: np.ndarray  # int32
    at: np.ndarray  # int64


def group_max(values: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    """The largest value per group (`NONE` where a group has none)."""
    result = np.full(size, NONE, np.int64)
    np.maximum.at(result, groups, values)
    return result


def hard_details(world: BenchmarkWorld) -> np.ndarray:
    """Per detail code: is it a hard bounce (`emailBounceType` = `hard`)?"""
    flags = np.zeros(256, bool)
    for code, detail in enumerate(world.details):
        flags[code] = dict(detail).get("emailBounceType") == "hard"
    return flags


class Digest:
    """The world's visible contact events at `now_ms` (see the module docstring)."""

    def __init__(self, world: BenchmarkWorld, now_ms: int) -> None:
        self.world, self.now_ms = world, now_ms
        ev, n_campaigns = world.events, len(world.campaigns)
        self.visible = ev.at + ev.delay < now_ms  # per event, generation order
        self.firsts: dict[str, Firsts] = {}
        self.human_firsts: dict[str, Firsts] = {}  # OPENED / CLICKED without machine events
        labels = ev.machine_labels()
        self.event_counts = np.zeros((n_campaigns, len(CAMPAIGN_TYPES)), np.int64)
        self.last: dict[str, np.ndarray] = {}  # OPENED / CLICKED → last visible time per campaign
        for column, name in enumerate(CAMPAIGN_TYPES):
            index = np.flatnonzero(self.visible & (ev.type == TYPE_CODE[name]))
            journeys = ev.journey[index]
            campaigns = ev.journey_campaign[journeys]
            keep = campaigns >= 0  # not a contact event outside a campaign (hand-made worlds)
            if not keep.all():
                index, journeys, campaigns = index[keep], journeys[keep], campaigns[keep]
            self.event_counts[:, column] = np.bincount(campaigns, minlength=n_campaigns)
            first = np.ones(len(journeys), bool)
            first[1:] = journeys[1:] != journeys[:-1]
            # the earliest of the type (machine events follow a journey's human ones, issue 16)
            at = ev.at[index]
            starts = np.flatnonzero(first)
            earliest = np.minimum.reduceat(at, starts) if len(starts) else at[:0]
            self.firsts[name] = Firsts(journeys[first], campaigns[first], earliest)
            if name in (OPENED, CLICKED):
                self.last[name] = group_max(ev.at[index], campaigns, n_campaigns)
                # the first human one (issue 16): the journey's earliest unlabelled event
                person = labels[index] == 0
                starts = np.flatnonzero(np.r_[True, journeys[person][1:] != journeys[person][:-1]])
                at = ev.at[index][person]
                earliest = np.minimum.reduceat(at, starts) if len(starts) and len(at) else at[:0]
                self.human_firsts[name] = Firsts(
                    journeys[person][starts] if len(at) else journeys[:0],
                    campaigns[person][starts] if len(at) else campaigns[:0],
                    earliest,
                )
            if name == BOUNCED:
                hard = hard_details(world)[ev.detail[index]]
                self.hard_journeys = np.unique(journeys[hard])
            if name == CLICKED:
                self._links(ev.detail[index], campaigns, ev.journey_contact[journeys])
        bounced = self.firsts[BOUNCED]
        self.bounce_hard = np.isin(bounced.journey, self.hard_journeys)  # per first bounce
        self.numbers = np.zeros((n_campaigns, len(NUMBERS)), np.int64)
        for name, number in _NUMBER_OF.items():
            column = NUMBERS.index(number)
            self.numbers[:, column] = np.bincount(self.firsts[name].campaign, minlength=n_campaigns)
        hard_count = np.bincount(bounced.campaign[self.bounce_hard], minlength=n_campaigns)
        self.numbers[:, NUMBERS.index("hard")] = hard_count
        soft_count = np.bincount(bounced.campaign, minlength=n_campaigns) - hard_count
        self.numbers[:, NUMBERS.index("soft")] = soft_count
        sends = self.firsts[SENT]
        self.last_first_send = group_max(sends.at, sends.campaign, n_campaigns)
        self._contacts()

    def _links(self, slots: np.ndarray, campaigns: np.ndarray, contacts: np.ndarray) -> None:
        """Clicks and distinct clicking contacts per link (`world.links`)."""
        world = self.world
        links = world.link_offset[campaigns] + slots
        size = len(world.links)
        self.link_total = np.bincount(links, minlength=size)
        pairs = np.unique(links * len(world.contacts.ids) + contacts)
        self.link_unique = np.bincount(pairs // len(world.contacts.ids), minlength=size)

    def _contacts(self) -> None:
        """The contacts existing at the clock (`POST /api/contact/search` lists these): the
        imported ones and those whose `contact-created` event is visible, at their creation time
        (the event's); ordered by (creation time, contact id)."""
        world, ev = self.world, self.world.events
        created_at = world.contacts.created.copy()
        exists = world.contacts.imported.copy()
        index = np.flatnonzero(self.visible & (ev.type == TYPE_CODE[CREATED]))
        contacts = ev.journey_contact[ev.journey[index]]
        exists[contacts] = True
        created_at[contacts] = ev.at[index]
        if not world.contacts_listed:
            exists[:] = False
        existing = np.flatnonzero(exists)
        rank = world.cached("contact_rank", lambda: ranks(world.contacts.ids))
        self.contact_order = existing[np.lexsort((rank[existing], created_at[existing]))]
        self.created_at = created_at  # per contact; read at `contact_order`
        # creation ms of every existing contact, ascending: an array, and a list of ints
        self.created_ms = created_at[self.contact_order]
        self.created: list[int] = self.created_ms.tolist()

    # -- per campaign ---------------------------------------------------------------------------

    def has_events(self) -> np.ndarray:
        """Per campaign: has it a visible contact event?"""
        return self.event_counts.sum(axis=1) > 0

    def numbers_of(self, campaign: int) -> dict[str, int]:
        """Whole-campaign distinct-contact counts at the clock (campaign index)."""
        return dict(zip(NUMBERS, self.numbers[campaign].tolist(), strict=True))

    def last_of(self, kind: str, campaign: int) -> int | None:
        """The last visible open or click of a campaign (epoch ms), None without one."""
        at = int(self.last[kind][campaign])
        return None if at == NONE else at

    def times(self, kind: str, campaign: int) -> np.ndarray:
        """First times of `kind` per pair of a campaign."""
        firsts = self.firsts[kind]
        return firsts.at[firsts.campaign == campaign]

    def counts_of(self, campaign: int) -> dict[str, int]:
        """Visible contact events of a campaign per canonical type."""
        row = self.event_counts[campaign].tolist()
        return {CANONICAL[name]: row[i] for i, name in enumerate(CAMPAIGN_TYPES)}

    def contacts_at(self, at_ms: int) -> int:
        return int(np.searchsorted(self.created_ms, at_ms, side="left"))

    def campaign_status(self, campaign: BmeCampaign) -> str:
        if campaign.kind == DRAFT or campaign.scheduled_ms is None:
            return "draft"
        if self.now_ms < campaign.scheduled_ms:
            return "scheduled"
        if self.now_ms < (campaign.send_end_ms or 0):
            return "sending"
        return "sent"

    def cached(self, name: str, build: Any) -> Any:
        """A value of this clock computed once (`build()`), e.g. the pair table."""
        cache = self.__dict__.setdefault("_cache", {})
        if name not in cache:
            cache[name] = build()
        return cache[name]


def ranks(values: np.ndarray) -> np.ndarray:
    """Each value's position in the sorted values."""
    result = np.empty(len(values), np.int64)
    result[np.argsort(values, kind="stable")] = np.arange(len(values))
    return result
