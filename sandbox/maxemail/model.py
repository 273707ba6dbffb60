"""Maxemail's part of the world: messages of four types and their events (PROVIDERS.md section
1, docs/CONTRACTS.md 5), and the account-local time Maxemail writes.

Events are stored in columns (`EventColumns`, NumPy arrays in generation order), not one object
per event: a world of ten million events is a few hundred MB and pickles as a few buffers.
Events have whole-second UTC times (`at_s`) and an `available_ms`: an event is visible, i.e.
exported, counted by `find` and by the truth, only once `available_ms < world clock`. Built by
sandbox.maxemail.events; `MaxemailWorld.from_events` builds one from `MaxemailEvent` records
(tests), and `events` gives them back.

The recipient column indexes the audience's recipients, which the part does not pickle: the world
re-attaches them (`attach_audience`, sandbox.world.generate_parts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, tzinfo
from typing import Any

import numpy as np

from sandbox.audience import Audience, Recipient

CAMPAIGN, TRIGGERED, TRANSACTIONAL, SMS = "campaign", "triggered", "transactional", "sms"
MESSAGE_TYPES = (CAMPAIGN, TRIGGERED, TRANSACTIONAL, SMS)
# Event kinds (one per recipient and message, except opens and clicks); a kind's code is its index.
SENT, OPEN, CLICK, BOUNCE, UNSUBSCRIBE = "sent", "open", "click", "bounce", "unsubscribe"
KINDS = (SENT, OPEN, CLICK, BOUNCE, UNSUBSCRIBE)
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
# (bounce type, bounce reason), dealt in shuffled rounds so that even a small world shows all of
# them: hard 5.1.1, soft 4.2.2, a 5.7.1 policy block, and the real-world "0000 unrecognized "
# (trailing space) with both types (its code is unknown, so the class falls back on the type).
BOUNCES = (
    ("permanent", "5.1.1 user unknown"),
    ("temporary", "4.2.2 mailbox full"),
    ("permanent", "5.7.1 blocked by policy"),
    ("temporary", "0000 unrecognized "),
    ("permanent", "0000 unrecognized "),
)
UNSUBSCRIBE_KINDS = ("global", "local", "feedback")


def phone_number(recipient: Recipient) -> str:
    """`+447700900123`-style (Ofcom drama range for the first thousand recipients)."""
    return f"+4477009{recipient.index:05d}"


@dataclass(frozen=True, slots=True)
class MaxemailMessage:
    """A Maxemail message (what `email_campaign.find` describes); ids are unique across types."""

    email_id: int
    message_type: str
    campaign_id: str
    name: str
    subject: str
    from_address: str
    from_alias: str
    bulk: bool  # one send to the audience at `start_s`; else sent one by one from `start_s`
    start_s: int  # epoch seconds, UTC
    created_s: int
    urls: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MaxemailEvent:
    """One event as a record (tests, small worlds); `address` is the stored email address (mixed
    case possible) or phone number."""

    message: MaxemailMessage
    recipient: Recipient
    address: str
    kind: str
    at_s: int  # whole seconds, UTC
    available_ms: int
    url: str = ""
    bounce_type: str = ""
    bounce_reason: str = ""
    unsubscribe_type: str = ""


@dataclass(frozen=True)
class EventColumns:
    """Every event, one array element each, in generation order. `detail` is the clicked URL's
    index in its message's `urls`, the bounce's index in `MaxemailWorld.bounces`, the unsubscribe
    type's in `MaxemailWorld.unsubscribe_kinds`, else 0."""

    kind: np.ndarray  # int8, index into KINDS
    message: np.ndarray  # int32, index into MaxemailWorld.messages
    recipient: np.ndarray  # int32, index into MaxemailWorld.recipients
    at_s: np.ndarray  # int64, whole seconds UTC
    available_ms: np.ndarray  # int64
    detail: np.ndarray  # int8
    machine: np.ndarray  # int8, sandbox.machines label (0 = human)

    @classmethod
    def of(cls, **columns: Any) -> EventColumns:
        """Columns from sequences; `machine` defaults to all human."""
        dtypes = {"kind": np.int8, "message": np.int32, "recipient": np.int32}
        dtypes |= {"at_s": np.int64, "available_ms": np.int64, "detail": np.int8}
        dtypes |= {"machine": np.int8}
        columns.setdefault("machine", np.zeros(len(columns["kind"]), np.int8))
        return cls(**{name: np.asarray(columns[name], dtype) for name, dtype in dtypes.items()})

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self))


class MaxemailWorld:
    """Messages (by id) and their events in columns; `of_message` gives index arrays into the
    columns, in generation order. Read-only after the build: the caches below
    are filled on first use (a race fills one twice with the same value)."""

    def __init__(
        self,
        messages: tuple[MaxemailMessage, ...],
        columns: EventColumns,
        recipients: Sequence[Recipient] = (),
        bounces: tuple[tuple[str, str], ...] = BOUNCES,
        unsubscribe_kinds: tuple[str, ...] = UNSUBSCRIBE_KINDS,
    ) -> None:
        self.messages, self.columns = messages, columns
        self.recipients = tuple(recipients)
        self.bounces, self.unsubscribe_kinds = bounces, unsubscribe_kinds
        self.by_id = {m.email_id: m for m in messages}
        self.message_index = {m.email_id: i for i, m in enumerate(messages)}
        self._cache: dict[Any, Any] = {}

    @classmethod
    def from_events(
        cls, messages: tuple[MaxemailMessage, ...], events: Sequence[MaxemailEvent]
    ) -> MaxemailWorld:
        """The world of these event records (their recipients become the recipient table)."""
        position = {m.email_id: i for i, m in enumerate(messages)}
        people: dict[int, int] = {}
        recipients: list[Recipient] = []
        bounces = list(BOUNCES)
        for e in events:
            if e.kind == BOUNCE and (e.bounce_type, e.bounce_reason) not in bounces:
                bounces.append((e.bounce_type, e.bounce_reason))
            if e.recipient.index not in people:
                people[e.recipient.index] = len(recipients)
                recipients.append(e.recipient)

        def detail(e: MaxemailEvent) -> int:
            if e.kind == CLICK:
                return e.message.urls.index(e.url)
            if e.kind == BOUNCE:
                return bounces.index((e.bounce_type, e.bounce_reason))
            if e.kind == UNSUBSCRIBE:
                return UNSUBSCRIBE_KINDS.index(e.unsubscribe_type)
            return 0

        columns = EventColumns.of(
            kind=[KIND_CODE[e.kind] for e in events],
            message=[position[e.message.email_id] for e in events],
            recipient=[people[e.recipient.index] for e in events],
            at_s=[e.at_s for e in events],
            available_ms=[e.available_ms for e in events],
            detail=[detail(e) for e in events],
        )
        return cls(messages, columns, recipients, tuple(bounces))

    # -- pickling without the audience (sandbox.world.generate_parts) ---------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "recipients": (), "_cache": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def attach_audience(self, audience: Audience) -> None:
        """Re-attach the recipients the recipient column indexes (after unpickling)."""
        self.recipients = audience.recipients
        self._cache = {}

    # -- lookups ------------------------------------------------------------------------------

    def cached(self, key: Any, build: Any) -> Any:
        """`build()` once per key (lookup arrays derived from the columns)."""
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = build()
        return value

    def message_codes(self, column: str) -> np.ndarray:
        """Per message: `type` (index into MESSAGE_TYPES), `email_id`, or `sms` (bool)."""

        def build() -> np.ndarray:
            if column == "type":
                return np.array([MESSAGE_TYPES.index(m.message_type) for m in self.messages])
            if column == "email_id":
                return np.array([m.email_id for m in self.messages], np.int64)
            return np.array([m.message_type == SMS for m in self.messages], bool)

        return self.cached(("message", column), build)  # type: ignore[no-any-return]

    def of_message(self, email_id: int) -> np.ndarray:
        """Indices of the events of one message (visible or not)."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            order = np.argsort(self.columns.message, kind="stable")
            bounds = np.searchsorted(self.columns.message[order], np.arange(len(self.messages) + 1))
            return order, bounds

        order, bounds = self.cached("by_message", build)
        i = self.message_index.get(email_id)
        return order[bounds[i] : bounds[i + 1]] if i is not None else order[:0]

    def address(self, recipient: int, sms: bool) -> str:
        """The stored address of a recipient row: its email address, or its phone number."""
        person = self.recipients[recipient]
        return phone_number(person) if sms else person.address

    @property
    def events(self) -> list[MaxemailEvent]:
        """Every event as a record, in generation order (tests, small worlds)."""
        c, sms = self.columns, self.message_codes("sms")
        result = []
        for i in range(len(c)):
            message = self.messages[c.message[i]]
            kind, detail = KINDS[c.kind[i]], int(c.detail[i])
            cells: dict[str, str] = {}
            if kind == CLICK:
                cells["url"] = message.urls[detail]
            elif kind == BOUNCE:
                cells["bounce_type"], cells["bounce_reason"] = self.bounces[detail]
            elif kind == UNSUBSCRIBE:
                cells["unsubscribe_type"] = self.unsubscribe_kinds[detail]
            recipient = int(c.recipient[i])
            result.append(
                MaxemailEvent(
                    message,
                    self.recipients[recipient],
                    self.address(recipient, bool(sms[c.message[i]])),
                    kind,
                    int(c.at_s[i]),
                    int(c.available_ms[i]),
                    **cells,
                )
            )
        return result

    def counts(self) -> dict[str, int]:
        """Messages per type, for summaries."""
        result = dict.fromkeys(MESSAGE_TYPES, 0)
        for message in self.messages:
            result[message.message_type] += 1
        return result

    def summary(self) -> dict[str, Any]:
        return {"maxemail_messages": self.counts(), "maxemail_events": len(self.columns)}


# -- local time ----------------------------------------------------------------------------------

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_text(at_s: int, zone: tzinfo) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the account's local time, as Maxemail writes timestamps."""
    return datetime.fromtimestamp(at_s, zone).strftime(LOCAL_FORMAT)


def local_to_utc(text: str, zone: tzinfo) -> datetime:
    """A naive local timestamp read back as aware UTC (the first of two ambiguous instants)."""
    return datetime.strptime(text, LOCAL_FORMAT).replace(tzinfo=zone).astimezone(UTC)
