"""APSIS One's logical events as columns: one row per event, in generation order (grouped by
campaign and recipient), instead of a Python object per event.

Dense columns (NumPy, one value per event): `campaign` (index into the world's campaigns),
`recipient` (index into the audience's recipients), `send` (index into `Campaign.sends()`),
`kind` (index into `model.TYPES`), `device` and `location` (indexes into `DEVICE_VALUES`,
`LOCATION_VALUES`; 0 = ''), `detail` (a BOUNCED row's code in `BOUNCE_VALUES`, an UNSUBSCRIBED
row's topic in `UNSUBSCRIBE_TOPICS`, a CLICKED row's link in `Campaign.all_links`), `true_ms`
(int64) and `delay` (server_time - true time, int32). The rare values are sparse, as sorted row
indexes with their values: `event_ms` where it is not the true time (0 / 1970), the late-indexing
`lag` and the `retry` copy's delay after the first copy. Derived, not stored: `seq` (the row),
the correlation id (`seq * MULTIPLIER + salt` mod 2**128) and `abuse_section` (the campaign's
section). About 24 bytes per event.
"""

from __future__ import annotations

import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sandbox.apsis_one.model import TYPES, ApsisEvent, Campaign
from sandbox.audience import Recipient

BOUNCE_CODES = (
    "1001", "1500", "2001", "2002", "2004", "2500", "3001", "3002",
    "3003", "3500", "4003", "4007", "4008", "4009", "4500", "9999",
)  # fmt: skip
AUTO_REPLY_CODES = ("5001", "5100", "5500")
BOUNCE_VALUES = BOUNCE_CODES + AUTO_REPLY_CODES
UNSUBSCRIBE_TOPICS = ("com.apsis1.topics.newsletter", "com.apsis1.topics.offers")
DEVICE_VALUES = (
    "", "DESKTOP", "MOBILE", "TABLET", "SMART_TV", "UNKNOWN", "WATCH", "CAR", "MOBILE:iOS 17",
    "MOBILE:Android 14", "DESKTOP:Windows", "DESKTOP:macOS", "TABLET:iPadOS 17", "SMART_TV:Tizen",
    "UNKNOWN:bot?",
)  # fmt: skip
LOCATION_VALUES = (
    "", "SE", "NO", "DK", "FI", "GB", "DE", "US", "NL", "SE-AB", "SE-O", "NO-03", "DK-84",
    "FI:Helsinki", "GB:London", "GB-MAN", "DE-BE", "US-CA", "US:New York", "NL-NH",
)  # fmt: skip
DEVICE_CODES = {value: code for code, value in enumerate(DEVICE_VALUES)}
LOCATION_CODES = {value: code for code, value in enumerate(LOCATION_VALUES)}
BOUNCE_CODE_INDEX = {value: code for code, value in enumerate(BOUNCE_VALUES)}
TYPE_CODES = {value: code for code, value in enumerate(TYPES)}
MULTIPLIER = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd, so seq -> id is a bijection mod 2**128
MASK_128 = (1 << 128) - 1
# byte value -> its two lower-case hex digits (as one little-endian uint16: first digit first)
_HEX_PAIRS = np.frombuffer(b"".join(f"{b:02x}".encode() for b in range(256)), np.uint16)
_DASHES = (8, 13, 18, 23)  # positions of '-' in a correlation id


class ColumnBuilder:
    """Appends events column by column (`array.array`) while the generator runs."""

    def __init__(self, campaigns: int) -> None:
        self.campaign = array.array("h" if campaigns < 2**15 else "i")
        self.recipient = array.array("i")
        self.send, self.kind = array.array("B"), array.array("B")
        self.device, self.location, self.detail = (
            array.array("B"),
            array.array("B"),
            array.array("B"),
        )
        self.true_ms, self.delay = array.array("q"), array.array("i")
        self.exc_idx, self.exc_value = array.array("i"), array.array("q")
        self.lag_idx, self.lag_value = array.array("i"), array.array("i")
        self.retry_idx, self.retry_delay = array.array("i"), array.array("i")
        self.machine = array.array("B")  # sandbox.machines label, 0 = human

    def finish(self, salt: int) -> EventColumns:
        def np_of(column: array.array) -> np.ndarray:  # type: ignore[type-arg]
            # a view of the array's own buffer (no second copy of ~24 bytes an event)
            return (
                np.frombuffer(column, dtype=column.typecode)
                if len(column)
                else np.empty(0, column.typecode)
            )

        return EventColumns(**{name: np_of(getattr(self, name)) for name in _FIELDS}, salt=salt)


_FIELDS = (
    "campaign", "recipient", "send", "kind", "device", "location", "detail", "true_ms", "delay",
    "exc_idx", "exc_value", "lag_idx", "lag_value", "retry_idx", "retry_delay", "machine",
)  # fmt: skip


def _sparse_at(index: np.ndarray, values: np.ndarray, rows: np.ndarray, default: int) -> np.ndarray:
    """The sparse column (sorted `index`, `values`) at `rows`, `default` where it has no value."""
    out = np.full(len(rows), default, dtype=np.int64)
    if len(index):
        pos = np.searchsorted(index, rows)
        pos[pos == len(index)] = 0
        hit = index[pos] == rows
        out[hit] = values[pos[hit]]
    return out


@dataclass(frozen=True, eq=False)
class EventColumns:
    """The event columns (module docstring); read-only once built, so threads share them."""

    campaign: np.ndarray
    recipient: np.ndarray
    send: np.ndarray
    kind: np.ndarray
    device: np.ndarray
    location: np.ndarray
    detail: np.ndarray
    true_ms: np.ndarray
    delay: np.ndarray
    exc_idx: np.ndarray
    exc_value: np.ndarray
    lag_idx: np.ndarray
    lag_value: np.ndarray
    retry_idx: np.ndarray
    retry_delay: np.ndarray
    machine: np.ndarray  # uint8, sandbox.machines label (0 = human)
    salt: int = 0

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in _FIELDS)

    # -- whole columns (truth) -------------------------------------------------------------------

    def server_ms(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Server time of each event's first copy."""
        if rows is None:
            return self.true_ms + self.delay
        return self.true_ms[rows] + self.delay[rows]

    def event_ms(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The reported `event_time`: the true time but where the source sent 0 / 1970."""
        if rows is None:
            out = self.true_ms.copy()
            out[self.exc_idx] = self.exc_value
            return out
        out = self.true_ms[rows]
        reported = _sparse_at(self.exc_idx, self.exc_value, rows, -1)
        return np.where(reported >= 0, reported, out)

    def lag_ms(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Late-indexing lag (available = server time + lag, for either copy)."""
        if rows is None:
            out = np.zeros(len(self), np.int64)
            out[self.lag_idx] = self.lag_value
            return out
        return _sparse_at(self.lag_idx, self.lag_value, rows, 0)

    def available_ms(self) -> np.ndarray:
        """When each event's first copy became exportable."""
        return self.server_ms() + self.lag_ms()

    def retry_delay_at(self, rows: np.ndarray) -> np.ndarray:
        """The retry copy's delay after the first copy, -1 where the event has no retry."""
        return _sparse_at(self.retry_idx, self.retry_delay, rows, -1)

    # -- correlation ids -------------------------------------------------------------------------

    def correlation(self, row: int) -> int:
        return (row * MULTIPLIER + self.salt) & MASK_128

    def correlation_ids(self, rows: np.ndarray) -> np.ndarray:
        """The formatted ids (`8-4-4-4-12` lower-case hex) of `rows`, as an (n, 36) uint8 array:
        `seq * MULTIPLIER + salt` mod 2**128 in four 32-bit limbs."""
        seq = rows.astype(np.uint64)
        low32 = np.uint64(0xFFFFFFFF)
        limbs = []
        carry = previous_high = np.zeros(len(rows), np.uint64)
        for k in range(4):
            m = np.uint64((MULTIPLIER >> (32 * k)) & 0xFFFFFFFF)
            s = np.uint64((self.salt >> (32 * k)) & 0xFFFFFFFF)
            product = seq * m  # < 2**64: seq < 2**32
            total = (product & low32) + s + carry
            if k:
                total += previous_high
            limbs.append(total & low32)
            carry = total >> np.uint64(32)
            previous_high = product >> np.uint64(32)
        words = np.stack(limbs[::-1], axis=1).astype(">u4")  # most significant limb first
        digits = _HEX_PAIRS[words.view(np.uint8)].view(np.uint8).reshape(len(rows), 32)
        out = np.empty((len(rows), 36), np.uint8)
        out[:, list(_DASHES)] = ord("-")
        out[:, :8], out[:, 9:13], out[:, 14:18] = digits[:, :8], digits[:, 8:12], digits[:, 12:16]
        out[:, 19:23], out[:, 24:] = digits[:, 16:20], digits[:, 20:]
        return out

    # -- one row as a record ---------------------------------------------------------------------

    def record(
        self, row: int, campaigns: Sequence[Campaign], recipients: Sequence[Recipient]
    ) -> ApsisEvent:
        """Row `row` as an `ApsisEvent` (a view built on demand: tests and a few rows)."""
        campaign = campaigns[int(self.campaign[row])]
        kind = TYPES[int(self.kind[row])]
        detail = int(self.detail[row])
        server = int(self.true_ms[row] + self.delay[row])
        rows = np.array([row])
        retry = int(self.retry_delay_at(rows)[0])
        return ApsisEvent(
            row,
            self.correlation(row),
            campaign,
            campaign.sends()[int(self.send[row])],
            recipients[int(self.recipient[row])],
            kind,
            int(self.true_ms[row]),
            server,
            int(self.event_ms(rows)[0]),
            server + int(self.lag_ms(rows)[0]),
            None if retry < 0 else server + retry,
            DEVICE_VALUES[int(self.device[row])],
            LOCATION_VALUES[int(self.location[row])],
            campaign.all_links[detail] if kind == "CLICKED" else None,
            BOUNCE_VALUES[detail] if kind == "BOUNCED" else "",
            UNSUBSCRIBE_TOPICS[detail] if kind == "UNSUBSCRIBED" else "",
            campaign.section.discriminator if kind == "ABUSE" else "",
        )


class EventRecords(Sequence[ApsisEvent]):
    """The columns as a read-only sequence of `ApsisEvent` records, built row by row on access
    (for tests and small worlds; the simulator and the truth read the columns)."""

    def __init__(
        self, columns: EventColumns, campaigns: Sequence[Campaign], recipients: Sequence[Recipient]
    ) -> None:
        self.columns, self.campaigns, self.recipients = columns, campaigns, recipients

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, row):  # type: ignore[no-untyped-def,override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        return self.columns.record(row, self.campaigns, self.recipients)


def from_records(
    events: Iterable[ApsisEvent], campaigns: Sequence[Campaign], recipients: Sequence[Recipient]
) -> EventColumns:
    """Columns of hand-made records (tests): campaigns and recipients by identity in the given
    sequences; every record's seq is its row (the correlation ids are then derived, salt 0)."""
    builder = ColumnBuilder(len(campaigns))
    campaign_index = {id(c): i for i, c in enumerate(campaigns)}
    recipient_index = {id(r): i for i, r in enumerate(recipients)}
    for row, e in enumerate(events):
        campaign = campaigns[campaign_index[id(e.campaign)]]
        builder.campaign.append(campaign_index[id(e.campaign)])
        builder.recipient.append(recipient_index[id(e.recipient)])
        builder.send.append(campaign.sends().index(e.send) if e.send in campaign.sends() else 0)
        builder.kind.append(TYPE_CODES[e.type])
        builder.device.append(DEVICE_CODES[e.device])
        builder.location.append(LOCATION_CODES[e.location])
        detail = 0
        if e.type == "BOUNCED":
            detail = BOUNCE_CODE_INDEX[e.bounce_code]
        elif e.type == "UNSUBSCRIBED":
            detail = UNSUBSCRIBE_TOPICS.index(e.unsubscribe_topic) if e.unsubscribe_topic else 0
        elif e.type == "CLICKED" and e.link is not None:
            detail = campaign.all_links.index(e.link)
        builder.detail.append(detail)
        builder.true_ms.append(e.true_ms)
        builder.machine.append(0)
        builder.delay.append(e.server_ms - e.true_ms)
        if e.event_ms != e.true_ms:
            builder.exc_idx.append(row)
            builder.exc_value.append(e.event_ms)
        if e.available_ms != e.server_ms:
            builder.lag_idx.append(row)
            builder.lag_value.append(e.available_ms - e.server_ms)
        if e.retry_server_ms is not None:
            builder.retry_idx.append(row)
            builder.retry_delay.append(e.retry_server_ms - e.server_ms)
    return builder.finish(salt=0)
