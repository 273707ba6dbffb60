"""The CSV text of a Maxemail export file, generated in chunks of rows (constant memory whatever
the file size).

Quoting reproduces the real files (PROVIDERS.md 1.5; the project's tests/fixtures/maxemail/): the
`sent` file quotes every field and puts a space after each comma; the others quote headers with
spaces, every timestamp and the values that need it (spaces, commas, quotes), and leave numbers,
plain addresses and plain URLs bare. Lines end with LF; UTF-8.

Every cell but the timestamp is one of few values (a message's id, a recipient's address, a URL,
a bounce, a count), so each column is a small table of its rendered cells (quoted as the file
wants) and a chunk is `take` of the row codes from those tables joined by Arrow
(`binary_join_element_wise`); the timestamps are fixed-width text built from a day table and a
seconds-of-day table (sandbox.maxemail.localtime).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sandbox.maxemail.files import (
    HEADERS,
    URL_SLOTS,
    ExportRows,
    ExportSpec,
    local_clock,
    select_rows,
)
from sandbox.maxemail.model import SMS, MaxemailWorld

CHUNK_ROWS = 65_536
_NEEDS_QUOTES = frozenset(' ,"\r\n')


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _cell(value: str, quote_all: bool) -> str:
    return _quote(value) if quote_all or not _NEEDS_QUOTES.isdisjoint(value) else value


def extra_column_value(email_id: str) -> str:
    """The cell of the surprise's extra column in a row of message ``email_id`` (the surprise of
    docs/CONTRACTS.md 14, setting `extra_column`: a column Maxemail adds to its files, after
    `email address`)."""
    return f"list-{email_id}"


def header(method: str, extra_column: str = "") -> tuple[str, ...]:
    """The file's column names, with ``extra_column`` after `email address` when one is set."""
    names = HEADERS[method]
    if not extra_column:
        return names
    at = names.index("email address") + 1
    return (*names[:at], extra_column, *names[at:])


def header_line(method: str, extra_column: str = "") -> bytes:
    names = header(method, extra_column)
    if method == "sent":
        text = ", ".join(_quote(name) for name in names)
    else:
        text = ",".join(_quote(name) if " " in name else name for name in names)
    return (text + "\n").encode("utf-8")


class _Columns:
    """The cell tables of one file's columns and the row codes that pick from them."""

    def __init__(self, world: MaxemailWorld, spec: ExportSpec, max_count: int) -> None:
        quote_all, sms = spec.method == "sent", spec.message_type == SMS
        self.world, self.spec = world, spec

        def table(values: list[str]) -> pa.Array:
            return pa.array([_cell(v, quote_all) for v in values], pa.string())

        messages = world.messages
        self.ids = table([str(m.email_id) for m in messages])
        self.extra = table([extra_column_value(str(m.email_id)) for m in messages])
        self.addresses = world.cached(
            ("address_cells", sms, quote_all),
            lambda: table([world.address(i, sms) for i in range(len(world.recipients))]),
        )
        self.counts = table([str(n) for n in range(max_count + 1)])
        urls = [""] * (len(messages) * URL_SLOTS)
        for i, message in enumerate(messages):
            urls[i * URL_SLOTS : i * URL_SLOTS + len(message.urls)] = message.urls
        self.urls = table(urls)
        self.bounce_types = table([b[0] for b in world.bounces])
        self.bounce_reasons = table([b[1] for b in world.bounces])
        self.unsubscribe_kinds = table(list(world.unsubscribe_kinds))

    def cells(self, rows: ExportRows) -> list[pa.Array]:
        """The columns of these rows, timestamps (with the line end) last."""
        method = self.spec.method
        message = pa.array(rows.message)
        result = [self.ids.take(message), self.addresses.take(pa.array(rows.recipient))]
        if self.spec.extra_column:
            result.append(self.extra.take(message))
        detail = pa.array(rows.detail)
        if method == "opened":
            result.append(self.counts.take(pa.array(rows.count)))
        elif method == "clicked":
            slots = rows.message.astype(np.int64) * URL_SLOTS + rows.detail
            result += [self.urls.take(pa.array(slots)), self.counts.take(pa.array(rows.count))]
        elif method == "bounced":
            result += [self.bounce_types.take(detail), self.bounce_reasons.take(detail)]
        elif method == "unsubscribed":
            result.append(self.unsubscribe_kinds.take(detail))
        texts = local_clock(self.world, self.spec.timezone).quoted_texts(rows.at_s)
        n, width = texts.shape
        offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
        result.append(
            pa.Array.from_buffers(
                pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(texts)]
            )
        )
        return result


def csv_chunks(
    world: MaxemailWorld, spec: ExportSpec, rows: ExportRows, chunk_rows: int = CHUNK_ROWS
) -> Iterator[bytes]:
    """The file's bytes: the header line, then the rows `chunk_rows` at a time."""
    yield header_line(spec.method, spec.extra_column)
    if not len(rows):
        return
    columns = _Columns(world, spec, int(rows.count.max()))
    separator = ", " if spec.method == "sent" else ","
    for start in range(0, len(rows), chunk_rows):
        lines = pc.binary_join_element_wise(
            *columns.cells(rows.slice(start, start + chunk_rows)), separator
        )
        offsets = np.frombuffer(lines.buffers()[1], np.int32)[: len(lines) + 1]
        yield bytes(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])


def render_csv(world: MaxemailWorld, spec: ExportSpec) -> bytes:
    """The whole file's bytes (small files, tests)."""
    return b"".join(csv_chunks(world, spec, select_rows(world, spec)))
