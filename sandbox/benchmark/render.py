"""The JSON bodies of Benchmark Email's paged listings, rendered from pre-rendered fragments:
`GET /api/contact/events` records (model.BmeEvent.record) and `POST /api/contact/search`
contacts (sandbox.benchmark.contacts.contact_record), byte for byte what `json.dumps(...,
ensure_ascii=False)` writes for those dicts (`", "` and `": "` separators), without a Python dict
per record. The per-contact, per-campaign, per-link and per-detail fragments are clock-independent
and cached on the world; a page renders its timestamps at once with NumPy.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from sandbox.benchmark.model import CLICKED, CREATED, EVENT_TYPES, SENDER, TYPE_CODE
from sandbox.benchmark.store import BenchmarkWorld, created_detail

CONTACT_STRUCTURE_ID = "64b000000000000000000001"  # ASSUMPTION (sandbox.benchmark.contacts)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fields(pairs: Any) -> str:
    """`, "key": value` for each (key, value)."""
    return "".join(f", {_json(key)}: {_json(value)}" for key, value in pairs)


def iso_texts(times: np.ndarray) -> list[str]:
    """`2026-01-01T00:00:00.000Z` per epoch ms (model.iso_ms, vectorised)."""
    texts = np.datetime_as_string(times.astype("datetime64[ms]"), unit="ms")
    return [f"{text}Z" for text in texts.tolist()]


class Fragments:
    """The clock-independent pieces of the records of one world."""

    def __init__(self, world: BenchmarkWorld) -> None:
        self.world = world
        self.contact_ids = [f'"{cid}"' for cid in world.contacts.ids.astype(str).tolist()]
        self.addresses = [_json(r.address) for r in world.recipients]
        self.types = [f', "type": {_json(name)}, "timestamp": "' for name in EVENT_TYPES]
        self.campaigns = [
            _fields(
                (
                    ("emailCampaignId", c.id),
                    ("emailCampaignName", c.name),
                    ("emailSubject", c.subject),
                    ("emailSender", SENDER[0]),
                    ("emailSenderName", SENDER[1]),
                )
            )
            + ', "emailTo": '
            for c in world.campaigns
        ]
        self.links = [
            _fields((("emailLinkId", link.id), ("emailTargetUrl", link.url)))
            for link in world.links
        ]
        self.details = [_fields(detail) for detail in world.details]

    def created(self, contact: int) -> str:
        c = self.world.contacts
        return _fields(created_detail(int(c.import_no[contact]), int(c.trigger_user[contact])))


def fragments(world: BenchmarkWorld) -> Fragments:
    found: Fragments = world.cached("fragments", lambda: Fragments(world))
    return found


def event_records(world: BenchmarkWorld, index: np.ndarray) -> list[str]:
    """The JSON records of events `index` (generation order), in that order."""
    f, ev = fragments(world), world.events
    journeys = ev.journey[index]
    contacts = ev.journey_contact[journeys].tolist()
    campaigns = ev.journey_campaign[journeys].tolist()
    types, details = ev.type[index].tolist(), ev.detail[index].tolist()
    offsets = world.link_offset.tolist()
    clicked, created = TYPE_CODE[CLICKED], TYPE_CODE[CREATED]
    records = []
    for contact, campaign, type_, detail, at in zip(
        contacts, campaigns, types, details, iso_texts(ev.at[index]), strict=True
    ):
        text = '{"contactId": ' + f.contact_ids[contact] + f.types[type_] + at + '"'
        if campaign >= 0:
            text += f.campaigns[campaign] + f.addresses[contact]
        if type_ == clicked and campaign >= 0:
            text += f.links[offsets[campaign] + detail]
        elif type_ == created:
            text += f.created(contact)
        else:
            text += f.details[detail]
        records.append(text + "}")
    return records


def contact_records(world: BenchmarkWorld, contacts: np.ndarray, created: np.ndarray) -> list[str]:
    """The JSON `contacts` items of `contacts` created at `created` (epoch ms)."""
    f = fragments(world)
    records = []
    for contact, at in zip(contacts.tolist(), iso_texts(created), strict=True):
        records.append(
            '{"_id": '
            + f.contact_ids[contact]
            + f', "contactStructureId": "{CONTACT_STRUCTURE_ID}"'
            f', "createdAt": "{at}", "updatedAt": "{at}", "key": '
            + f.addresses[contact]
            + ', "fields": [], "tags": []}'
        )
    return records


def listing(head: str, records: list[str], tail: str) -> bytes:
    """`head` + the records as a JSON array + `tail`, UTF-8."""
    return (head + "[" + ", ".join(records) + "]" + tail).encode("utf-8")
