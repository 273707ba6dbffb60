"""Maxemail Quick Data Export files: rows of the visible events and their CSV text.

Row semantics (docs/CONTRACTS.md 5.1): `sent` one row per recipient and message; `opened` one
row per recipient and message with the open count and the latest open; `clicked` one row per
recipient, message and URL with the click count and the latest click on it; `responded` one row
per recipient and message who clicked, at the first click; `bounced` and `unsubscribed` one row
per recipient and message. Timestamps are account local time, `YYYY-MM-DD HH:MM:SS`.

Quoting reproduces the real files (PROVIDERS.md 1.5; the project's tests/fixtures/maxemail/): the `sent`
file quotes every field and puts a space after each comma; the others quote headers with spaces,
every timestamp and the values that need it (spaces, commas, quotes), and leave numbers, plain
addresses and plain URLs bare. Lines end with LF.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sandbox.maxemail.model import (
    BOUNCE,
    CLICK,
    LOCAL_FORMAT,
    OPEN,
    SENT,
    UNSUBSCRIBE,
    MaxemailEvent,
    MaxemailWorld,
    local_text,
)
from sandbox.maxemail.settings import MaxemailError

HEADERS: dict[str, tuple[str, ...]] = {
    "sent": ("email id", "email address", "sent timestamp"),
    "opened": ("email id", "email address", "open count", "open timestamp"),
    "clicked": ("email id", "email address", "url", "click count", "click timestamp"),
    "responded": ("email id", "email address", "click timestamp"),
    "bounced": ("email id", "email address", "bounce type", "bounce reason", "bounce timestamp"),
    "unsubscribed": ("email id", "email address", "unsubscribe type", "unsubscribe timestamp"),
}
METHODS = tuple(HEADERS)
_NEEDS_QUOTES = frozenset(' ,"\r\n')

Row = tuple[str, ...]


@dataclass(frozen=True)
class ExportFile:
    """An export file behind a download key: built at `created_ms` (world clock)."""

    created_ms: int
    data: bytes
    content_type: str
    filename: str


def visible(events: Iterable[MaxemailEvent], now_ms: int) -> list[MaxemailEvent]:
    return [e for e in events if e.available_ms < now_ms]


def export_rows(
    world: MaxemailWorld, message_type: str, method: str, now_ms: int, zone: tzinfo
) -> list[Row]:
    """All rows of one export method at the clock, in time order; the timestamp is the last cell."""
    if method not in HEADERS:
        raise KeyError(method)
    keyed: list[tuple[tuple[int, int, str, str], Row]] = []

    def add(event: MaxemailEvent, at_s: int, *cells: str) -> None:
        email_id = event.message.email_id
        row = (str(email_id), event.address, *cells, local_text(at_s, zone))
        keyed.append(((at_s, email_id, event.address.lower(), event.url), row))

    if method == "sent":
        for e in visible(world.of(message_type, SENT), now_ms):
            add(e, e.at_s)
    elif method == "bounced":
        for e in visible(world.of(message_type, BOUNCE), now_ms):
            add(e, e.at_s, e.bounce_type, e.bounce_reason)
    elif method == "unsubscribed":
        for e in visible(world.of(message_type, UNSUBSCRIBE), now_ms):
            add(e, e.at_s, e.unsubscribe_type)
    elif method == "opened":
        for group in _groups(visible(world.of(message_type, OPEN), now_ms), by_url=False):
            add(group[-1], max(e.at_s for e in group), str(len(group)))
    elif method == "clicked":
        for group in _groups(visible(world.of(message_type, CLICK), now_ms), by_url=True):
            add(group[-1], max(e.at_s for e in group), group[0].url, str(len(group)))
    else:  # responded
        for group in _groups(visible(world.of(message_type, CLICK), now_ms), by_url=False):
            add(group[0], min(e.at_s for e in group))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]


def _groups(events: list[MaxemailEvent], *, by_url: bool) -> list[list[MaxemailEvent]]:
    """Events per (message, recipient[, url]), each group in time order."""
    groups: dict[tuple[int, int, str], list[MaxemailEvent]] = {}
    for event in events:
        key = (event.message.email_id, event.recipient.index, event.url if by_url else "")
        groups.setdefault(key, []).append(event)
    for group in groups.values():
        group.sort(key=lambda e: e.at_s)
    return list(groups.values())


def filter_timestamp(raw: str | None) -> str | None:
    """The `timestamp` of a `filter` (normalised `YYYY-MM-DD HH:MM:SS`), None when absent."""
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise MaxemailError(400, "Invalid filter: not valid JSON") from None
    if value is None or value == []:  # an empty PHP array encodes as []
        return None
    if not isinstance(value, dict):
        raise MaxemailError(400, "Invalid filter: expected a JSON object")
    timestamp = value.get("timestamp")
    if timestamp is None or timestamp == "":
        return None
    try:
        return datetime.strptime(str(timestamp), LOCAL_FORMAT).strftime(LOCAL_FORMAT)
    except ValueError:
        raise MaxemailError(400, "Invalid filter: timestamp must be YYYY-MM-DD HH:MM:SS") from None


def since(rows: list[Row], timestamp: str | None, *, inclusive: bool = True) -> list[Row]:
    """Rows whose local timestamp is at/after (`inclusive`) or after `timestamp` (same format,
    so text order is time order)."""
    if timestamp is None:
        return rows
    if inclusive:
        return [row for row in rows if row[-1] >= timestamp]
    return [row for row in rows if row[-1] > timestamp]


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def extra_column_value(email_id: str) -> str:
    """The cell of the surprise's extra column in a row of message ``email_id``."""
    return f"list-{email_id}"


def with_extra_column(header: Row, rows: list[Row], extra: str) -> tuple[Row, list[Row]]:
    """The header and rows with the column ``extra`` after `email address` (the surprise of
    docs/CONTRACTS.md 14, setting `extra_column`: a column Maxemail adds to its files, whose cell
    is `extra_column_value(email id)`); unchanged when ``extra`` is ""."""
    if not extra:
        return header, rows
    at = header.index("email address") + 1
    return (
        (*header[:at], extra, *header[at:]),
        [(*row[:at], extra_column_value(row[0]), *row[at:]) for row in rows],
    )


def render_csv(method: str, rows: list[Row], extra_column: str = "") -> bytes:
    """The export file's bytes (UTF-8, LF line ends, header row first), with ``extra_column``
    when one is set."""
    header, rows = with_extra_column(HEADERS[method], rows, extra_column)
    if method == "sent":
        lines = [", ".join(_quote(cell) for cell in line) for line in (header, *rows)]
    else:
        last = len(header) - 1
        lines = [",".join(_quote(h) if " " in h else h for h in header)]
        for row in rows:
            lines.append(
                ",".join(
                    _quote(cell) if i == last or not _NEEDS_QUOTES.isdisjoint(cell) else cell
                    for i, cell in enumerate(row)
                )
            )
    return ("\n".join(lines) + "\n").encode("utf-8")


def zip_one(member: str, data: bytes, local_stamp: str) -> bytes:
    """A ZIP holding exactly one CSV, its entry dated by the export's local time (reproducible)."""
    when = datetime.strptime(local_stamp, LOCAL_FORMAT)
    info = zipfile.ZipInfo(member, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data)
    return buffer.getvalue()
