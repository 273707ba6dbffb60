"""Maxemail Quick Data Export files: which rows a file holds (`select_rows`, NumPy over the
world's columns); their CSV text is sandbox.maxemail.render, the ZIP sandbox.maxemail.zipstream.

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

import json
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from sandbox.maxemail.localtime import LocalTime
from sandbox.maxemail.model import (
    BOUNCE,
    CLICK,
    KIND_CODE,
    LOCAL_FORMAT,
    MESSAGE_TYPES,
    OPEN,
    SENT,
    SMS,
    UNSUBSCRIBE,
    MaxemailWorld,
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


@dataclass(frozen=True)
class ExportSpec:
    """What an export file holds: its rows are fixed by these alone (the clock and the account
    settings at the export), so a large file is generated again, identically, at each download."""

    message_type: str
    method: str
    now_ms: int
    timezone: str
    timestamp: str | None = None  # the `filter` timestamp (local), None for no filter
    inclusive: bool = True  # rows at the filter's instant are kept
    extra_column: str = ""  # the surprise column's header ("" = none)


@dataclass(frozen=True)
class ExportFile:
    """An export file behind a download key, built at `created_ms` (world clock): the bytes of a
    small file, or the spec of a large one (streamed at download, `zipped` or plain CSV)."""

    created_ms: int
    content_type: str
    filename: str
    data: bytes | None = None
    spec: ExportSpec | None = None
    zipped: bool = False


@dataclass(frozen=True)
class ExportRows:
    """An export file's rows as columns, in file order: message and recipient rows of the world,
    the row's time (the last cell), the open/click count and the `detail` code (URL, bounce or
    unsubscribe type: sandbox.maxemail.model.EventColumns)."""

    message: np.ndarray
    recipient: np.ndarray
    at_s: np.ndarray
    count: np.ndarray
    detail: np.ndarray

    def __len__(self) -> int:
        return len(self.message)

    def slice(self, start: int, stop: int) -> ExportRows:
        return ExportRows(
            *(getattr(self, f.name)[start:stop] for f in fields(self))  # type: ignore[arg-type]
        )


_KIND_OF = {
    "sent": SENT,
    "opened": OPEN,
    "clicked": CLICK,
    "responded": CLICK,
    "bounced": BOUNCE,
    "unsubscribed": UNSUBSCRIBE,
}


def local_clock(world: MaxemailWorld, timezone: str) -> LocalTime:
    """The account-local time of the world's timeline (cached per zone)."""

    def build() -> LocalTime:
        at = world.columns.at_s
        low, high = (int(at.min()), int(at.max())) if len(at) else (0, 0)
        return LocalTime(ZoneInfo(timezone), low, high)

    return world.cached(("local", timezone), build)  # type: ignore[no-any-return]


def select_rows(world: MaxemailWorld, spec: ExportSpec) -> ExportRows:
    """The rows of one export, in file order: by time, email id, lower-cased address, URL."""
    if spec.method not in HEADERS:
        raise KeyError(spec.method)
    c = world.columns
    grouped = spec.method in ("opened", "clicked", "responded")
    ordered = _ordered(world, spec.message_type, spec.method)
    index = ordered[c.available_ms[ordered] < spec.now_ms]
    message, recipient = c.message[index], c.recipient[index]
    at, detail = c.at_s[index], c.detail[index]
    count = np.ones(len(index), np.int64)
    if grouped:
        # one row per message and recipient (and URL): the count, the latest (first) time;
        # `index` holds each group's events together
        key = _group_key(world, spec.method, message, recipient, detail)
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key[:0]
        reduce = np.minimum if spec.method == "responded" else np.maximum
        at = reduce.reduceat(at, starts) if len(starts) else at[:0]
        count = np.diff(np.r_[starts, len(key)])
        message, recipient, detail = message[starts], recipient[starts], detail[starts]
    if spec.timestamp is not None:
        bound = int(datetime.strptime(spec.timestamp, LOCAL_FORMAT).replace(tzinfo=UTC).timestamp())
        naive = local_clock(world, spec.timezone).naive(at)
        keep = naive >= bound if spec.inclusive else naive > bound
        message, recipient, at = message[keep], recipient[keep], at[keep]
        count, detail = count[keep], detail[keep]
    if not grouped:  # already in file order (_ordered)
        return ExportRows(message, recipient, at, count, detail)
    order = _file_order(world, spec.message_type, spec.method, message, recipient, at, detail)
    return ExportRows(message[order], recipient[order], at[order], count[order], detail[order])


def row_count(world: MaxemailWorld, spec: ExportSpec) -> int:
    """The number of rows of an export without a `filter` (no sort, no text): what the export
    call needs to know that a file is large."""
    if spec.timestamp is not None:
        raise ValueError("a filtered file's rows are counted by select_rows")
    c = world.columns
    ordered = _ordered(world, spec.message_type, spec.method)
    index = ordered[c.available_ms[ordered] < spec.now_ms]
    if spec.method not in ("opened", "clicked", "responded"):
        return len(index)
    key = _group_key(world, spec.method, c.message[index], c.recipient[index], c.detail[index])
    return len(np.flatnonzero(key[1:] != key[:-1])) + 1 if len(key) else 0


def _group_key(
    world: MaxemailWorld,
    method: str,
    message: np.ndarray,
    recipient: np.ndarray,
    detail: np.ndarray,
) -> np.ndarray:
    key = message.astype(np.int64) * max(len(world.recipients), 1) + recipient
    return key * URL_SLOTS + detail if method == "clicked" else key


def _ordered(world: MaxemailWorld, message_type: str, method: str) -> np.ndarray:
    """The events of a file's type and kind (visible or not; cached): in file order for the
    files with a row per event, grouped by row (generation order within) for the others."""

    def build() -> np.ndarray:
        c = world.columns
        types = world.message_codes("type")[c.message]
        mask = (types == MESSAGE_TYPES.index(message_type)) & (
            c.kind == KIND_CODE[_KIND_OF[method]]
        )
        index = np.flatnonzero(mask)
        message, recipient, detail = c.message[index], c.recipient[index], c.detail[index]
        if method in ("opened", "clicked", "responded"):
            # clicks grouped by URL within the pair serve `responded` (by pair) too
            by = "clicked" if method == "responded" else method
            order = np.argsort(_group_key(world, by, message, recipient, detail), kind="stable")
        else:
            order = _file_order(
                world, message_type, method, message, recipient, c.at_s[index], detail
            )
        return index[order].astype(np.int32 if len(c) < 2**31 else np.int64)

    key = ("ordered", message_type, "clicked" if method == "responded" else method)
    return world.cached(key, build)  # type: ignore[no-any-return]


URL_SLOTS = 4  # a message has at most this many URLs


def _file_order(
    world: MaxemailWorld,
    message_type: str,
    method: str,
    message: np.ndarray,
    recipient: np.ndarray,
    at: np.ndarray,
    detail: np.ndarray,
) -> np.ndarray:
    """The permutation to file order (time, email id, lower-cased address, URL): one int64 key
    when the ranks fit in 63 bits, else a lexsort."""
    if not len(at):
        return np.arange(0)
    sms = message_type == SMS
    email_rank = world.cached("email_rank", lambda: _rank(world.message_codes("email_id")))
    address_rank = world.cached(("address_rank", sms), lambda: _address_rank(world, sms))
    url_rank = np.zeros(len(at), np.int64)
    if method == "clicked":
        url_rank = world.cached("url_rank", lambda: _url_rank(world))[message, detail]
    at0 = at - at.min()
    keys = (url_rank, address_rank[recipient], email_rank[message], at0)
    widths = [int(URL_SLOTS - 1).bit_length(), int(len(address_rank)).bit_length()]
    widths += [int(len(email_rank)).bit_length(), int(at0.max()).bit_length()]
    if sum(widths) > 62:
        return np.lexsort(keys)
    combined = np.zeros(len(at), np.int64)
    shift = 0
    for key, width in zip(keys, widths, strict=True):
        combined |= key.astype(np.int64) << shift
        shift += width
    return np.argsort(combined, kind="stable")  # equal rows keep generation order


def _rank(values: np.ndarray) -> np.ndarray:
    rank = np.empty(len(values), np.int64)
    rank[np.argsort(values, kind="stable")] = np.arange(len(values))
    return rank


def _address_rank(world: MaxemailWorld, sms: bool) -> np.ndarray:
    """Per recipient row: the rank of its lower-cased address (or phone number)."""
    texts = [world.address(i, sms).lower() for i in range(len(world.recipients))]
    return _rank(np.array(texts, dtype=object))


def _url_rank(world: MaxemailWorld) -> np.ndarray:
    """Per message and URL index: the URL's rank among the message's URLs."""
    table = np.zeros((len(world.messages), URL_SLOTS), np.int64)
    for i, message in enumerate(world.messages):
        for rank, j in enumerate(sorted(range(len(message.urls)), key=message.urls.__getitem__)):
            table[i, j] = rank
    return table


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
