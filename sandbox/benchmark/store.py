"""Benchmark Email's part of the world in columns (NumPy arrays, no Python object per event):
contacts, campaigns, journeys and contact events. Built by sandbox.benchmark.events (or, for
tests, `BenchmarkWorld.from_events`); read by the digest, the record renderer and the truth.

Layout:

* Contacts (one per audience recipient, same index): `contact_ids` (24-hex ObjectIds, `S24`),
  `contact_created` (epoch ms), `imported` (no `contact-created` event), and the fields of a
  created contact's event: `import_no` (its import file number, 0 for a form) and
  `trigger_user` (the user who triggered it, 0 for none).
* Journeys: one per contact's `contact-created` event, then one per (campaign, contact) send, in
  generation order: `journey_campaign` (index into `campaigns`, -1 for none) and
  `journey_contact`.
* Events, in generation order: `at` (epoch ms), `delay` (`available_ms - at`), `type` (index into
  model.EVENT_TYPES), `detail` (a click's link slot in its campaign's `listed_links`, else an
  index into `details`; a `contact-created` event's fields come from the contact columns) and
  `journey`. A journey's events are contiguous, and its events of one type are in time order
  (the digest relies on it); `order` sorts the events by (time, generation index), the order
  the API serves them in (newest first) and the reports count them in.

The audience's recipients (their addresses) are not pickled with the part: sandbox.world
re-attaches them (`attach_audience`) after a part built in another process travels back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.audience import Audience, Recipient
from sandbox.benchmark.model import (
    CLICKED,
    CREATED,
    DETAILS,
    EVENT_TYPES,
    TYPE_CODE,
    BmeCampaign,
    BmeContact,
    BmeEvent,
    BmeLink,
    Detail,
)

_CACHE_FREE = ("recipients", "_cache")  # left out of the pickle


@dataclass(frozen=True)
class Contacts:
    """The contact columns (see the module docstring)."""

    ids: np.ndarray  # S24
    created: np.ndarray  # int64 epoch ms
    imported: np.ndarray  # bool
    import_no: np.ndarray  # int16, 0: created by a form
    trigger_user: np.ndarray  # int16, 0: no `triggeredBy`


@dataclass(frozen=True)
class Events:
    """The event and journey columns (see the module docstring)."""

    at: np.ndarray  # int64
    delay: np.ndarray  # int32 (int64 if a delay does not fit)
    type: np.ndarray  # uint8
    detail: np.ndarray  # uint8
    journey: np.ndarray  # int32
    journey_campaign: np.ndarray  # int32, -1: no campaign
    journey_contact: np.ndarray  # int32
    machine: np.ndarray | None = None  # int8 sandbox.machines label per event; None: all human

    def machine_labels(self) -> np.ndarray:
        """The truth label of every event (0 = human)."""
        if self.machine is None:
            return np.zeros(len(self.at), np.int8)
        return self.machine


def created_detail(import_no: int, trigger_user: int) -> Detail:
    """The fields of a `contact-created` event: its source, and who triggered it."""
    detail: dict[str, Any] = {"source": "form"}
    if import_no:
        detail = {
            "source": "import",
            "importId": f"imp-{import_no}",
            "importOriginalFileName": f"{import_no}.csv",
        }
    if trigger_user:
        detail["triggeredBy"] = {"type": "user", "userId": f"u-{trigger_user}"}
    return tuple(detail.items())


class BenchmarkWorld:
    """Benchmark's contacts, campaigns and contact events (columns; module docstring)."""

    def __init__(
        self,
        contacts: Contacts,
        campaigns: tuple[BmeCampaign, ...],
        events: Events,
        recipients: Sequence[Recipient],
        details: tuple[Detail, ...] = DETAILS,
        contacts_listed: bool = True,
        order: np.ndarray | None = None,
    ) -> None:
        self.contacts, self.campaigns, self.events = contacts, campaigns, events
        self.details = details
        # False (WorldConfig.benchmark_contacts_listed): the account's contact list is empty, as
        # after deleting every contact; the campaigns' contact events stay
        self.contacts_listed = contacts_listed
        self.recipients: Sequence[Recipient] = recipients
        self.by_id = {c.id: c for c in campaigns}
        self.campaign_index = {c.id: i for i, c in enumerate(campaigns)}
        listed = [len(c.listed_links) for c in campaigns]
        self.link_offset = np.concatenate(([0], np.cumsum(listed, dtype=np.int64)))
        self.links: tuple[BmeLink, ...] = tuple(link for c in campaigns for link in c.listed_links)
        if order is None:  # by time, then generation order
            order = np.argsort(events.at, kind="stable")
        self.order = order.astype(np.int32 if len(events.at) < 2**31 else np.int64)
        self._cache: dict[str, Any] = {}

    # -- pickling (sandbox.world builds large parts in other processes) ------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _CACHE_FREE}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.recipients, self._cache = (), {}

    def attach_audience(self, audience: Audience) -> None:
        """The audience's recipients again, after unpickling (contact i is recipient i)."""
        self.recipients = audience.recipients

    # -- sizes and lookups ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.events.at)

    def summary(self) -> dict[str, Any]:
        return {"benchmark_campaigns": len(self.campaigns), "benchmark_events": len(self)}

    def cached(self, name: str, build: Any) -> Any:
        """A clock-independent value computed once (`build()`); not pickled. Two threads may
        both build it; both get an equal value."""
        value = self._cache.get(name)
        if value is None:
            value = self._cache[name] = build()
        return value

    def available(self) -> np.ndarray:
        """`available_ms` of every event (generation order)."""
        return self.events.at + self.events.delay

    def contact(self, index: int) -> BmeContact:
        c = self.contacts
        return BmeContact(
            c.ids[index].decode(),
            self.recipients[index],
            int(c.created[index]),
            bool(c.imported[index]),
        )

    def event(self, index: int, seq: int = 0) -> BmeEvent:
        """Event `index` (generation order) as a record object (tests, small worlds)."""
        ev = self.events
        journey = int(ev.journey[index])
        contact_index = int(ev.journey_contact[journey])
        campaign_index = int(ev.journey_campaign[journey])
        type_name = EVENT_TYPES[ev.type[index]]
        campaign = self.campaigns[campaign_index] if campaign_index >= 0 else None
        link: BmeLink | None = None
        extra: Detail = ()
        detail = int(ev.detail[index])
        if type_name == CLICKED and campaign is not None:
            link = campaign.listed_links[detail]
        elif type_name == CREATED:
            c = self.contacts
            extra = created_detail(
                int(c.import_no[contact_index]), int(c.trigger_user[contact_index])
            )
        else:
            extra = self.details[detail]
        at = int(ev.at[index])
        return BmeEvent(
            seq,
            type_name,
            at,
            at + int(ev.delay[index]),
            self.contact(contact_index),
            campaign,
            link,
            extra,
        )

    def event_records(self) -> list[BmeEvent]:
        """Every event as a record object, in time order (tests and small worlds only)."""
        return [self.event(int(i), seq) for seq, i in enumerate(self.order)]

    # -- built from records (tests) -------------------------------------------------------------

    @classmethod
    def from_events(
        cls,
        contacts: Sequence[BmeContact],
        campaigns: Sequence[BmeCampaign],
        events: Sequence[BmeEvent],
        contacts_listed: bool = True,
    ) -> BenchmarkWorld:
        """The world of hand-made records (tests): `contacts` in recipient order, the events'
        contacts and campaigns among them; a click's link among its campaign's `listed_links`."""
        position = {c.contact_id: i for i, c in enumerate(contacts)}
        campaign_at = {c.id: i for i, c in enumerate(campaigns)}
        details = list(DETAILS)
        journeys: dict[tuple[int, int], int] = {}
        rows = []
        import_no = np.zeros(len(contacts), np.int16)
        trigger_user = np.zeros(len(contacts), np.int16)
        for seq, event in enumerate(events):
            contact = position[event.contact.contact_id]
            campaign = campaign_at[event.campaign.id] if event.campaign is not None else -1
            journey = journeys.setdefault((campaign, contact), len(journeys))
            if event.type == CLICKED and event.campaign is not None and event.link is not None:
                detail = event.campaign.listed_links.index(event.link)
            elif event.type == CREATED:
                fields = dict(event.extra)
                import_no[contact] = int(str(fields.get("importId", "imp-0"))[4:])
                trigger_user[contact] = int(fields.get("triggeredBy", {}).get("userId", "u-0")[2:])
                detail = 0
            else:
                if event.extra not in details:
                    details.append(event.extra)
                detail = details.index(event.extra)
            rows.append((journey, event.at_ms, seq, event.available_ms, event.type, detail))
        # journeys campaign by campaign (contact events outside a campaign first), each journey's
        # events contiguous and in time order
        pairs = sorted(journeys, key=lambda pair: (pair[0], journeys[pair]))
        renumbered = {journeys[pair]: number for number, pair in enumerate(pairs)}
        rows = sorted((renumbered[r[0]], *r[1:]) for r in rows)
        at = np.array([r[1] for r in rows], np.int64)
        return cls(
            Contacts(
                np.array([c.contact_id.encode() for c in contacts], "S24"),
                np.array([c.created_ms for c in contacts], np.int64),
                np.array([c.imported for c in contacts], bool),
                import_no,
                trigger_user,
            ),
            tuple(campaigns),
            Events(
                at=at,
                delay=np.array([r[3] - r[1] for r in rows], np.int64),
                type=np.array([TYPE_CODE[r[4]] for r in rows], np.uint8),
                detail=np.array([r[5] for r in rows], np.uint8),
                journey=np.array([r[0] for r in rows], np.int32),
                journey_campaign=np.array([p[0] for p in pairs], np.int32),
                journey_contact=np.array([p[1] for p in pairs], np.int32),
            ),
            tuple(c.recipient for c in contacts),
            tuple(details),
            contacts_listed,
            np.lexsort((np.array([r[2] for r in rows], np.int64), at)),  # by (time, seq)
        )
