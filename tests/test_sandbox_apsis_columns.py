"""APSIS One's columnar world against the per-event definitions it replaced: the export file is
what `csv.writer` writes of the event records (in chunks, with attributes, tags and surprise
copies), the `PairTable` is `PairTable.from_facts` of the per-event digest, and a world built in
forked processes (the part pickled without its audience) serves the same bytes and truth."""

from __future__ import annotations

import csv
import gzip
import io
import pickle
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from sandbox import World, WorldConfig
from sandbox.apsis_one import export_file
from sandbox.apsis_one.export import ExportSpec
from sandbox.apsis_one.export_file import ExportWriter
from sandbox.apsis_one.model import BOUNCED, CANONICAL_TYPES, OPENED, bounce_class
from sandbox.apsis_one.pairs import pair_table
from sandbox.apsis_one.surprise import COPY_SUFFIX
from sandbox.apsis_one.truth import truth
from sandbox.apsis_one.world import ApsisWorld
from sandbox.config import world_config
from sandbox.reports.pairs import KINDS, PairDigest
from sandbox.reports.table import PairTable
from sandbox.surprises import picked
from sandbox.timeutil import REAL_TIME_FLOOR_MS, to_ms

SMALL: dict[str, Any] = {"recipients": 300, "campaigns": 6}


def reference_csv(part: ApsisWorld, spec: ExportSpec) -> str:
    """The export as the per-event writer wrote it: `csv.writer` over the copies' records."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(spec.header())
    refs = part.copies_between(to_ms(spec.start), to_ms(spec.end), spec.now_ms)
    for ref in refs.tolist():
        e, retry = part.events[ref >> 1], bool(ref & 1)
        link = e.link
        row = [
            e.campaign.id, e.send.split_id, e.campaign.name, e.send.split_activity_name,
            e.campaign.sender, e.send.subject, e.recipient.address, e.send.variation, e.type,
            e.correlation_id, str(e.event_ms), str(e.retry_server_ms if retry else e.server_ms),
            e.device, e.location, link.id if link else "", link.url if link else "",
            link.title if link else "", e.bounce_code, e.unsubscribe_topic, e.abuse_section,
            *(e.recipient.attributes[a.version_id] for a in spec.attributes),
            *("TAG" if t.discriminator in e.recipient.tags else "" for t in spec.tags),
        ]  # fmt: skip
        writer.writerow(row)
        if not retry and e.type == OPENED and picked(e.correlation_id, spec.unknown_event_every):
            writer.writerow([*row[:8], spec.unknown_event_type, e.correlation_id + COPY_SUFFIX, *row[10:]])  # fmt: skip
    return text.getvalue()


def reference_table(part: ApsisWorld, now_ms: int) -> PairTable:
    """The pairs as the per-event digest made them, as a table."""
    digest = PairDigest()
    for e in part.events:
        if e.available_ms >= now_ms:
            continue
        at = e.event_ms if e.event_ms >= REAL_TIME_FLOOR_MS else e.server_ms
        if e.type == BOUNCED:
            digest.bounce(e.campaign.id, e.recipient.key, at, bounce_class(e.bounce_code))
        elif CANONICAL_TYPES[e.type] in KINDS:
            digest.note(e.campaign.id, e.recipient.key, CANONICAL_TYPES[e.type], at)
    return PairTable.from_facts(digest.facts())


def assert_tables_equal(got: PairTable, want: PairTable) -> None:
    assert got.campaign_ids == want.campaign_ids and len(got) == len(want)
    for name in ("campaign", "recipient", "first", "bounce_class"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    for kind, events in want.every.items():
        for name in ("pair", "at", "klass"):
            assert np.array_equal(getattr(got.every[kind], name), getattr(events, name)), kind


@pytest.mark.parametrize("surprise", [0, 3])
def test_export_file_is_what_csv_writer_writes_of_the_records(
    monkeypatch: pytest.MonkeyPatch, surprise: int
) -> None:
    monkeypatch.setattr(export_file, "CHUNK_ROWS", 300)  # several chunks
    world = World(WorldConfig(**SMALL))
    part = world.parts["apsis_one"]
    audience = world.audience
    spec = ExportSpec(
        world.start,
        world.start + timedelta(days=90),
        world.now_ms,
        audience.attributes,
        audience.tags,
        surprise,
        'Odd,"type"',  # needs quoting
    )
    writer = ExportWriter(part, spec)
    data = gzip.decompress(b"".join(writer.gzip_chunks()))
    want = reference_csv(part, spec)
    assert data.decode("utf-8") == want
    assert want.count("\r\n") - 1 == writer.row_count() > 3 * 300
    assert (',"Odd,""type""",' in want) == bool(surprise)


@pytest.mark.parametrize("modes", [(), ("no_split_tests",), ("no_clicks",)])
def test_pair_table_equals_the_table_of_the_per_event_pairs(modes: tuple[str, ...]) -> None:
    world = World(world_config(*modes, **SMALL))
    part = world.parts["apsis_one"]
    for now_ms in (world.now_ms, world.now_ms + 10 * 86_400_000, to_ms(world.start) + 86_400_000):
        assert_tables_equal(pair_table(part, now_ms), reference_table(part, now_ms))


def test_the_part_pickles_without_the_audience_and_forked_worlds_serve_the_same() -> None:
    config = WorldConfig(**SMALL)
    one, two = World(config, processes=1), World(config, processes=2)
    part, forked = one.parts["apsis_one"], two.parts["apsis_one"]
    pickled = pickle.dumps(part)
    assert part.recipients[0].address.encode() not in pickled  # the audience stays behind
    assert len(pickled) < 40 * len(part.columns) + 20_000
    assert forked.audience is two.audience
    assert all(c.section in two.audience.sections for c in forked.campaigns)
    assert list(forked.events) == list(part.events)
    now = one.now_ms
    assert truth(forked, now, None, "FORWARDED", 2) == truth(part, now, None, "FORWARDED", 2)
    audience = one.audience
    spec = ExportSpec(one.start, one.end, now, audience.attributes, audience.tags)
    assert b"".join(ExportWriter(forked, spec).gzip_chunks()) == b"".join(
        ExportWriter(part, spec).gzip_chunks()
    )
