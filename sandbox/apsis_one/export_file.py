"""The APSIS One export file, generated and compressed in chunks while it streams.

The rows of a spec are the world's copies in its window visible at its clock
(`ApsisWorld.copies_between`), plus the surprise copies (sandbox.apsis_one.surprise); the bytes
are what `csv.writer` (excel dialect: CRLF, quotes only where needed) writes, gzip-compressed in
one stream (`zlib.compressobj`, mtime 0), so the same world and spec give the same file whenever
it is downloaded. A chunk of rows is built column-wise: every text cell comes from a small table
of CSV-escaped values (per campaign send, recipient, type, device/location/link/code
combination) taken by the rows' codes, numbers are cast by Arrow, correlation ids formatted in
NumPy, and `pyarrow.compute.binary_join_element_wise` lays the pieces out as the chunk's bytes.
"""

from __future__ import annotations

import csv
import io
import types
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sandbox.apsis_one.columns import (
    BOUNCE_VALUES,
    DEVICE_VALUES,
    LOCATION_VALUES,
    UNSUBSCRIBE_TOPICS,
)
from sandbox.apsis_one.model import TYPES
from sandbox.apsis_one.surprise import COPY_SUFFIX, OPENED, picked_ids
from sandbox.apsis_one.world import ApsisWorld
from sandbox.timeutil import to_ms

if TYPE_CHECKING:
    from sandbox.apsis_one.export import ExportSpec

deflate: types.ModuleType
try:  # ISA-L's deflate: 4x faster than zlib's at level 1, with zlib's level 6 ratio
    from isal import isal_zlib as deflate
except ImportError:  # pragma: no cover - the dev extra installs it; zlib gives the same CSV
    deflate = zlib

CHUNK_ROWS = 32_768
LEVEL = 1  # measured (DECISIONLOG.md): zlib level 6 costs 2.5x level 1 for 15% smaller files
_UNKNOWN = len(TYPES)  # the type code of a surprise copy
_ID_ENDS = pa.array([",", COPY_SUFFIX + ","], pa.string())  # after a correlation id


def csv_cell(value: str) -> str:
    """A cell as `csv.writer` writes it: quoted (quotes doubled) when it holds , " CR or LF."""
    if "," in value or '"' in value or "\r" in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _strings(values: list[str]) -> pa.Array:
    return pa.array(values, pa.string())


class _WorldTables:
    """The spec-independent value tables of a world (built once, cached on the world)."""

    def __init__(self, world: ApsisWorld) -> None:
        prefixes: list[str] = []
        variations: list[str] = []
        starts: list[int] = []
        for campaign in world.campaigns:
            starts.append(len(prefixes))
            for send in campaign.sends():
                send_cells = (
                    campaign.id, send.split_id, campaign.name, send.split_activity_name,
                    campaign.sender, send.subject,
                )  # fmt: skip
                prefixes.append("".join(csv_cell(c) + "," for c in send_cells))
                variations.append(csv_cell(send.variation) + ",")
        self.send_base = np.array(starts, np.int64)
        self.prefix = _strings(prefixes)
        self.variations = variations
        self.address = _strings([csv_cell(r.address) + "," for r in world.recipients])
        self.device_location = _strings(
            [
                "," + csv_cell(device) + "," + csv_cell(location)
                for device in DEVICE_VALUES
                for location in LOCATION_VALUES
            ]
        )
        cells = ["," * 6]  # link id, URL, title, bounce code, topic, abuse section: empty
        self.detail_code = np.zeros(len(world.campaigns) * 8 * 256, np.int32)
        for c, campaign in enumerate(world.campaigns):
            for kind, values in (
                (
                    "CLICKED",
                    [(link.id, link.url, link.title, "", "", "") for link in campaign.all_links],
                ),
                ("BOUNCED", [("", "", "", code, "", "") for code in BOUNCE_VALUES]),
                ("UNSUBSCRIBED", [("", "", "", "", topic, "") for topic in UNSUBSCRIBE_TOPICS]),
                ("ABUSE", [("", "", "", "", "", campaign.section.discriminator)]),
            ):
                base = (c * 8 + TYPES.index(kind)) * 256
                for detail, row in enumerate(values):
                    self.detail_code[base + detail] = len(cells)
                    cells.append("".join("," + csv_cell(cell) for cell in row))
        self.details = _strings(cells)


class ExportWriter:
    """The rows and bytes of one spec over one world."""

    def __init__(self, world: ApsisWorld, spec: ExportSpec) -> None:
        self.world, self.spec = world, spec
        self.tables: _WorldTables = world.cached("export-tables", lambda: _WorldTables(world))
        unknown = csv_cell(spec.unknown_event_type) + ","
        types = [csv_cell(t) + "," for t in TYPES] + [unknown]
        self.kind_cells = _strings([v + t for v in self.tables.variations for t in types])
        self.extra = _strings(self._extra_cells())
        self.header = self._header()

    def _extra_cells(self) -> list[str]:
        """Per recipient: the attribute and tag cells of the spec, and the line end."""
        attribute_ids = [a.version_id for a in self.spec.attributes]
        tag_ids = [t.discriminator for t in self.spec.tags]
        if not attribute_ids and not tag_ids:
            return ["\r\n"] * len(self.world.recipients)
        return [
            "".join("," + csv_cell(r.attributes[a]) for a in attribute_ids)
            + "".join(",TAG" if t in r.tags else "," for t in tag_ids)
            + "\r\n"
            for r in self.world.recipients
        ]

    def _header(self) -> bytes:
        text = io.StringIO(newline="")
        csv.writer(text).writerow(self.spec.header())
        return text.getvalue().encode("utf-8")

    def copies(self) -> np.ndarray:
        spec = self.spec
        return self.world.copies_between(to_ms(spec.start), to_ms(spec.end), spec.now_ms)

    def surprise_mask(self, refs: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
        """Which copies of `refs` come with a surprise copy (first copies of picked opens)."""
        every = self.spec.unknown_event_every
        mask = np.zeros(len(refs), bool)
        if every <= 0:
            return mask
        rows = refs >> 1
        where = np.flatnonzero(((refs & 1) == 0) & (self.world.columns.kind[rows] == OPENED))
        chosen = self.world.columns.correlation_ids(rows[where]) if ids is None else ids[where]
        mask[where[picked_ids(chosen, every)]] = True
        return mask

    def row_count(self) -> int:
        """Rows of the file (header excluded): copies plus surprise copies."""
        refs = self.copies()
        extra = 0
        for start in range(0, len(refs), CHUNK_ROWS * 8):
            extra += int(self.surprise_mask(refs[start : start + CHUNK_ROWS * 8]).sum())
        return len(refs) + extra

    def csv_chunks(self) -> Iterator[bytes | memoryview]:
        """The uncompressed CSV: the header, then the rows chunk by chunk."""
        yield self.header
        refs = self.copies()
        for start in range(0, len(refs), CHUNK_ROWS):
            yield self._chunk(refs[start : start + CHUNK_ROWS])

    def gzip_chunks(self, level: int = LEVEL) -> Iterator[bytes]:
        """The file: the CSV compressed as one gzip stream, a piece per chunk of rows."""
        compressor = deflate.compressobj(level, deflate.DEFLATED, 31)
        for data in self.csv_chunks():
            piece = compressor.compress(data)
            if piece:
                yield piece
        yield compressor.flush()

    def _chunk(self, refs: np.ndarray) -> memoryview:
        columns, tables = self.world.columns, self.tables
        rows = refs >> 1
        ids = columns.correlation_ids(rows)
        surprise = self.surprise_mask(refs, ids)
        if surprise.any():  # a surprise copy right after its open
            order = np.repeat(np.arange(len(refs)), 1 + surprise)
            is_copy = np.zeros(len(order), bool)
            is_copy[1:] = order[1:] == order[:-1]
            refs, rows, ids = refs[order], rows[order], ids[order]
        else:
            is_copy = np.zeros(len(refs), bool)
        campaign = columns.campaign[rows].astype(np.int64)
        kind = columns.kind[rows].astype(np.int64)
        cs = tables.send_base[campaign] + columns.send[rows]
        recipient = columns.recipient[rows]
        server = columns.server_ms(rows)
        retry = (refs & 1).astype(bool)
        server[retry] += columns.retry_delay_at(rows[retry])
        kind_cell = cs * (len(TYPES) + 1) + np.where(is_copy, _UNKNOWN, kind)
        n = len(rows)
        corr = pa.StringArray.from_buffers(
            n, pa.py_buffer(np.arange(0, 36 * n + 1, 36, dtype=np.int32)), pa.py_buffer(ids)
        )
        device_location = columns.device[rows].astype(np.int64) * len(LOCATION_VALUES)
        device_location += columns.location[rows]
        detail = tables.detail_code[(campaign * 8 + kind) * 256 + columns.detail[rows]]
        joined = pc.binary_join_element_wise(
            tables.prefix.take(cs),
            tables.address.take(recipient),
            self.kind_cells.take(kind_cell),
            corr,
            _ID_ENDS.take(is_copy.astype(np.int8)),
            pc.cast(pa.array(columns.event_ms(rows)), pa.string()),
            ",",
            pc.cast(pa.array(server), pa.string()),
            tables.device_location.take(device_location),
            tables.details.take(detail),
            self.extra.take(recipient),
            "",
        )
        offsets = np.frombuffer(joined.buffers()[1], np.int32, n + 1, joined.offset * 4)
        return memoryview(joined.buffers()[2])[offsets[0] : offsets[-1]]
