"""Netcore's part of the world in columns (docs/CONTRACTS.md 2 and 6): one NumPy array per field
of a message, messages in request order (`requested_s`, then `trid`), and the opens and clicks of
all messages in flat arrays sliced by offsets (`open_start[i]:open_start[i + 1]` are message i's
opens, in time order). Built by sandbox.netcore.events; read by the simulator and the truth with
array operations (sandbox.netcore.states), and message by message (`messages`, a view that makes
a `NetcoreMessage` when one is asked for) by tests and small worlds.

Codes: `campaign` indexes `campaigns`, `recipient` the audience's recipients, `outcome` and
`STATUSES`, `final` `FINALS`, `remark` `remarks` (`DELIVERY_REMARK`: the delivery's SMTP answer,
derived from the trid), `click_link` the campaign's links; IPs are IPv4 numbers. Times of a
message's stages are seconds after its request (`NONE`: never sent); the address is the
recipient's, but for an invalid message, which lost its top-level domain (`addresses` holds any
other, for worlds built from messages). The audience is not pickled: a part built in another
process gets it back through `attach_audience`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from sandbox.audience import Audience, Recipient
from sandbox.netcore.model import (
    DELIVERED_REMARK,
    DROPPED_REMARK,
    HARD_REMARKS,
    INVALID,
    INVALID_REMARK,
    PLAIN_HARD_REMARKS,
    PLAIN_SOFT_REMARKS,
    SOFT_REMARKS,
    SPAM,
    STATUSES,
    UNSUBSCRIBE,
    MessageState,
    NetcoreCampaign,
    NetcoreMessage,
    state_at,
)

STATUS_CODE = {status: code for code, status in enumerate(STATUSES)}
FINALS = ("", UNSUBSCRIBE, SPAM)
FINAL_CODE = {final: code for code, final in enumerate(FINALS)}
REMARKS = tuple(
    dict.fromkeys(
        (
            DROPPED_REMARK, INVALID_REMARK, *HARD_REMARKS, *SOFT_REMARKS, *PLAIN_HARD_REMARKS,
            *PLAIN_SOFT_REMARKS,
        )
    )
)  # fmt: skip
REMARK_CODE = {remark: code for code, remark in enumerate(REMARKS)}
DELIVERY_REMARK = -1
NONE = int(np.iinfo(np.int32).min)  # a stage that never happens
MESSAGE_COLUMNS = (
    "trid", "campaign", "recipient", "requested_s", "size", "outcome", "outcome_dt", "sent_dt",
    "remark", "final", "final_dt",
)  # fmt: skip
EVENT_COLUMNS = ("open_at", "open_ip", "click_at", "click_ip", "click_link")


def ip_text(number: int) -> str:
    return f"{number >> 24}.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def ip_number(text: str) -> int:
    a, b, c, d = (int(part) for part in text.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def delivery_remark(trid: int) -> str:
    return DELIVERED_REMARK.format(queue=f"{trid % 0xFFFFFFFF:08x}")


def invalid_address(address: str) -> str:
    """The address of an invalid message: the recipient's without its top-level domain."""
    local, _, domain = address.partition("@")
    return f"{local}@{domain.rsplit('.', 1)[0]}"


MACHINE_PREFIXES = ("17.58.", "40.107.")  # WorldConfig's proxy_ip_prefix, scanner_ip_prefix


class NetcoreWorld:
    """Campaigns and the messages' columns (module docstring). `NetcoreWorld(campaigns,
    messages)` stores a list of `NetcoreMessage` (tests, hand-made worlds)."""

    # one value per message (MESSAGE_COLUMNS), in request order
    trid: np.ndarray  # int64
    campaign: np.ndarray  # int16, index into `campaigns`
    recipient: np.ndarray  # int32, index into `recipients`
    requested_s: np.ndarray  # int64
    size: np.ndarray  # int32
    outcome: np.ndarray  # int8, index into STATUSES
    outcome_dt: np.ndarray  # int32, seconds after the request
    sent_dt: np.ndarray  # int32, NONE when never sent
    remark: np.ndarray  # int16, index into `remarks`, DELIVERY_REMARK
    final: np.ndarray  # int8, index into FINALS
    final_dt: np.ndarray  # int32
    # opens and clicks of message i: [open_start[i], open_start[i + 1]) etc., in time order
    open_start: np.ndarray  # int64, one more than messages
    open_at: np.ndarray  # int64, epoch seconds
    open_ip: np.ndarray  # uint32
    click_start: np.ndarray  # int64
    click_at: np.ndarray  # int64
    click_ip: np.ndarray  # uint32
    click_link: np.ndarray  # int8, index into the campaign's links

    def __init__(
        self,
        campaigns: Sequence[NetcoreCampaign],
        messages: Sequence[NetcoreMessage] | None = None,
        *,
        columns: dict[str, np.ndarray] | None = None,
        recipients: Sequence[Recipient] = (),
        remarks: Sequence[str] = REMARKS,
        addresses: dict[int, str] | None = None,
        machine_prefixes: tuple[str, ...] = MACHINE_PREFIXES,
    ) -> None:
        self.campaigns = tuple(campaigns)
        # issue 16: IPs that are a machine's (the world's proxy and scanner prefixes), the truth
        self.machine_prefixes = machine_prefixes
        if columns is None:
            from sandbox.netcore.convert import columns_of

            columns, recipients, remarks, addresses = columns_of(self.campaigns, messages or ())
        self.columns = columns
        self.recipients: tuple[Recipient, ...] = tuple(recipients)
        self.remarks = tuple(remarks)
        self.addresses = dict(addresses or {})
        self.cache: dict[Any, Any] = {}  # derived, clock-independent values (not pickled)
        for name in (*MESSAGE_COLUMNS, "open_start", *EVENT_COLUMNS, "click_start"):
            setattr(self, name, columns[name])

    # -- pickling without the audience ------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {
            "campaigns": self.campaigns,
            "columns": self.columns,
            "remarks": self.remarks,
            "addresses": self.addresses,
            "machine_prefixes": self.machine_prefixes,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["campaigns"],
            columns=state["columns"],
            remarks=state["remarks"],
            addresses=state["addresses"],
            machine_prefixes=state["machine_prefixes"],
        )

    def attach_audience(self, audience: Audience) -> None:
        """Re-attach the audience after unpickling (sandbox.world.generate_parts)."""
        self.recipients = audience.recipients
        self.cache.clear()

    # -- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.trid)

    def span(self, start_s: int, end_s: int) -> tuple[int, int]:
        """The rows of the messages requested in `[start_s, end_s)`."""
        low = int(np.searchsorted(self.requested_s, start_s, "left"))
        return low, max(low, int(np.searchsorted(self.requested_s, end_s, "left")))

    def address(self, row: int) -> str:
        """rcptEmail as Netcore stores it."""
        found = self.addresses.get(row)
        if found is not None:
            return found
        address = self.recipients[int(self.recipient[row])].address
        return invalid_address(address) if self.outcome[row] == STATUS_CODE[INVALID] else address

    def remark_text(self, row: int) -> str:
        code = int(self.remark[row])
        return (
            delivery_remark(int(self.trid[row])) if code == DELIVERY_REMARK else self.remarks[code]
        )

    def message(self, row: int) -> NetcoreMessage:
        requested = int(self.requested_s[row])
        campaign = self.campaigns[int(self.campaign[row])]
        sent_dt = int(self.sent_dt[row])
        o0, o1 = int(self.open_start[row]), int(self.open_start[row + 1])
        c0, c1 = int(self.click_start[row]), int(self.click_start[row + 1])
        return NetcoreMessage(
            trid=int(self.trid[row]),
            campaign=campaign,
            recipient=self.recipients[int(self.recipient[row])],
            address=self.address(row),
            requested_s=requested,
            size=int(self.size[row]),
            outcome=STATUSES[int(self.outcome[row])],
            outcome_s=requested + int(self.outcome_dt[row]),
            sent_s=None if sent_dt == NONE else requested + sent_dt,
            remarks=self.remark_text(row),
            opens=tuple(
                (int(at), ip_text(int(ip)))
                for at, ip in zip(self.open_at[o0:o1], self.open_ip[o0:o1], strict=True)
            ),
            clicks=tuple(
                (int(at), ip_text(int(ip)), campaign.links[int(link)])
                for at, ip, link in zip(
                    self.click_at[c0:c1], self.click_ip[c0:c1], self.click_link[c0:c1], strict=True
                )
            ),
            final=FINALS[int(self.final[row])],
            final_s=requested + int(self.final_dt[row]),
        )

    @property
    def messages(self) -> MessageView:
        """The messages in request order, each made when read."""
        return MessageView(self)

    def requested_between(self, start_s: int, end_s: int) -> list[NetcoreMessage]:
        """Messages requested in `[start_s, end_s)`, in request order."""
        low, high = self.span(start_s, end_s)
        return [self.message(row) for row in range(low, high)]

    def states(self, now_ms: int, start_s: int, end_s: int) -> list[MessageState]:
        """States at the clock of the messages requested in `[start_s, end_s)` (one by one; the
        simulator and the truth read sandbox.netcore.states instead)."""
        found = (state_at(m, now_ms) for m in self.requested_between(start_s, end_s))
        return [state for state in found if state is not None]

    def nbytes(self) -> int:
        return sum(int(array.nbytes) for array in self.columns.values())

    def summary(self) -> dict[str, Any]:
        return {"netcore_messages": len(self)}


class MessageView(Sequence[NetcoreMessage]):
    """The world's messages as a sequence of `NetcoreMessage`, each made when read."""

    def __init__(self, world: NetcoreWorld) -> None:
        self.world = world

    def __len__(self) -> int:
        return len(self.world)

    @overload
    def __getitem__(self, index: int) -> NetcoreMessage: ...

    @overload
    def __getitem__(self, index: slice) -> list[NetcoreMessage]: ...

    def __getitem__(self, index: int | slice) -> NetcoreMessage | list[NetcoreMessage]:
        if isinstance(index, slice):
            return [self.world.message(row) for row in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.world.message(index)

    def __iter__(self) -> Iterator[NetcoreMessage]:
        return (self.world.message(row) for row in range(len(self)))
