"""Netcore's message rows rendered from columns (PROVIDERS.md 3.4, docs/CONTRACTS.md 6.1): the
JSON of the events API and the Download Logs CSV, byte for byte what `json.dumps` of a row dict
(the v2 CLI / v5.1 field order) and `csv.writer` of its values give, but assembled from fragments
JSON-encoded once per distinct value (campaign, recipient, remark, link; cached on the world)
and times rendered an array at a time (sandbox.netcore.localtime).

`Selection` is the rows a query selected at the clock of the request, in the order served, with
the status each shows (`unknown` codes the surprise status, sandbox.netcore.surprise) and the
account's timezone of the request."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import numpy as np

from sandbox.netcore.localtime import local_texts
from sandbox.netcore.model import DELIVERED_REMARK, PROCESSED, SENT, STATUSES
from sandbox.netcore.states import States
from sandbox.netcore.store import DELIVERY_REMARK, STATUS_CODE, NetcoreWorld

LOG_COLUMNS = (
    "trid", "rcptEmail", "fromaddress", "requestedTime", "deliveryTime", "modifiedTime", "status",
    "size", "remarks", "subject", "xapiheader", "tags", "opens", "clicks",
)  # fmt: skip
UNKNOWN = len(STATUSES)  # the status code of the surprise status
_DELIVERY = DELIVERED_REMARK.split("{queue}")  # the delivery's remark around its queue id
_QUIET = np.array([STATUS_CODE[PROCESSED], STATUS_CODE[SENT]], np.int8)  # no remarks yet


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Selection:
    """Rows selected at the clock, in serving order; `status` with the surprise status coded
    `UNKNOWN` (named `unknown`)."""

    states: States
    status: np.ndarray  # int8
    unknown: str
    zone: tzinfo  # the account's timezone at the request: its times are rendered in it

    def __len__(self) -> int:
        return len(self.states)


class Fragments:
    """JSON text of the world's distinct values, made once and kept on the world."""

    def __init__(self, world: NetcoreWorld) -> None:
        self.campaign_from = [dumps(c.from_address) for c in world.campaigns]
        self.campaign_tail = [
            f'"subject": {dumps(c.subject)}, "xapiheader": {dumps(c.id)}, "tags": {dumps(c.name)}'
            for c in world.campaigns
        ]
        self.links = [[dumps(link) for link in c.links] for c in world.campaigns]
        self.remarks = [dumps(r) for r in world.remarks]
        self.recipients = [dumps(r.address) for r in world.recipients]
        self.statuses = [dumps(s) for s in STATUSES]

    @classmethod
    def of(cls, world: NetcoreWorld) -> Fragments:
        found = world.cache.get(cls)
        if found is None:
            found = world.cache[cls] = cls(world)
        return found  # type: ignore[no-any-return]


@dataclass
class _Page:
    """The values of a run of rows, as Python lists, texts ready to place."""

    trid: list[int]
    campaign: list[int]
    size: list[int]
    status: list[str]  # the status name
    remarks: list[str]  # the remarks ("" before an outcome): text, or JSON when not compact
    address: list[str]  # rcptEmail: text, or JSON when not compact
    requested: list[str]
    delivered: list[str]
    modified: list[str]
    opens: list[str]  # JSON of the seen opens (inside the brackets)
    clicks: list[str]  # JSON of the seen clicks (inside the brackets)


def _page(world: NetcoreWorld, selection: Selection, part: slice, compact: bool) -> _Page:
    """Rows `part` of the selection; `compact` JSON for opens and clicks (the logs file)."""
    states, zone = selection.states.take(part), selection.zone
    rows = states.rows
    n = len(rows)
    trid = world.trid[rows].tolist()
    names = [*STATUSES, selection.unknown]
    code = world.remark[rows].astype(np.int64)
    code[np.isin(selection.status[part], _QUIET)] = -2
    fragments = Fragments.of(world)
    # remark code + 2 -> text: -2 none yet, -1 the delivery's (made from the trid), else fixed
    texts = ("", "", *world.remarks) if compact else ('""', "", *fragments.remarks)
    quote = "" if compact else '"'
    remarks = [
        texts[c + 2] if c != DELIVERY_REMARK
        else f"{quote}{_DELIVERY[0]}{t % 0xFFFFFFFF:08x}{_DELIVERY[1]}{quote}"
        for c, t in zip(code.tolist(), trid, strict=True)
    ]  # fmt: skip
    people = world.recipient[rows].tolist()
    if compact:
        address = [world.recipients[r].address for r in people]
    else:
        address = [fragments.recipients[r] for r in people]
    odd = np.flatnonzero(world.outcome[rows] == STATUS_CODE["invalid"]).tolist()
    if world.addresses:
        odd += np.flatnonzero(np.isin(rows, list(world.addresses))).tolist()
    for i in odd:
        address[i] = world.address(int(rows[i])) if compact else dumps(world.address(int(rows[i])))
    delivered = np.flatnonzero(states.delivered_s >= 0)
    times = local_texts(
        np.concatenate((world.requested_s[rows], states.modified_s, states.delivered_s[delivered])),
        zone,
    )
    delivered_text = [""] * n
    for i, text in zip(delivered.tolist(), times[2 * n :], strict=True):
        delivered_text[i] = text
    campaign = world.campaign[rows].tolist()
    return _Page(
        trid, campaign, world.size[rows].tolist(), [names[s] for s in selection.status[part].tolist()],
        remarks, address, times[:n], delivered_text, times[n : 2 * n],
        _opens(world, states, zone, compact), _clicks(world, states, campaign, zone, compact),
    )  # fmt: skip


def _seen(
    starts: np.ndarray, rows: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The flat indices of the seen events of `rows` (a prefix of each row's), and their row."""
    owner = np.repeat(np.arange(len(rows)), counts)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return starts[rows][owner] + offset, owner


def _grouped(items: list[str], counts: np.ndarray, sep: str) -> list[str]:
    """`items` (row after row, `counts` each) joined by `sep` per row ("" when none)."""
    result = [""] * len(counts)
    position = 0
    for row, count in zip(
        np.flatnonzero(counts).tolist(), counts[counts > 0].tolist(), strict=True
    ):
        result[row] = sep.join(items[position : position + count])
        position += count
    return result


def _opens(world: NetcoreWorld, states: States, zone: tzinfo, compact: bool) -> list[str]:
    """Per row, the JSON objects of its seen opens (`{"ip", "time"}`)."""
    if not states.opens.any():
        return [""] * len(states)
    index, _ = _seen(world.open_start, states.rows, states.opens)
    times = local_texts(world.open_at[index], zone)
    ips = world.open_ip[index].tolist()
    if compact:
        items = [
            f'{{"ip":"{ip >> 24}.{ip >> 16 & 255}.{ip >> 8 & 255}.{ip & 255}","time":"{t}"}}'
            for ip, t in zip(ips, times, strict=True)
        ]
    else:
        items = [
            f'{{"ip": "{ip >> 24}.{ip >> 16 & 255}.{ip >> 8 & 255}.{ip & 255}", "time": "{t}"}}'
            for ip, t in zip(ips, times, strict=True)
        ]
    return _grouped(items, states.opens, "," if compact else ", ")


def _clicks(
    world: NetcoreWorld, states: States, campaign: list[int], zone: tzinfo, compact: bool
) -> list[str]:
    """Per row, the JSON objects of its seen clicks (`{"ip", "link", "time"}`)."""
    if not states.clicks.any():
        return [""] * len(states)
    index, owner = _seen(world.click_start, states.rows, states.clicks)
    times = local_texts(world.click_at[index], zone)
    links = Fragments.of(world).links
    values = zip(
        world.click_ip[index].tolist(), owner.tolist(), world.click_link[index].tolist(), times,
        strict=True,
    )  # fmt: skip
    sep, colon = (",", ":") if compact else (", ", ": ")
    items = [
        f'{{"ip"{colon}"{ip >> 24}.{ip >> 16 & 255}.{ip >> 8 & 255}.{ip & 255}"{sep}"link"{colon}'
        f'{links[campaign[o]][link]}{sep}"time"{colon}"{t}"}}'
        for ip, o, link, t in values
    ]
    return _grouped(items, states.clicks, sep)


def json_rows(world: NetcoreWorld, selection: Selection, part: slice) -> list[str]:
    """The events-API JSON of rows `part` of the selection."""
    fragments = Fragments.of(world)
    page = _page(world, selection, part, compact=False)
    froms, tails = fragments.campaign_from, fragments.campaign_tail
    statuses = {name: dumps(name) for name in set(page.status)}
    return [
        f'{{"trid": {t}, "rcptEmail": {a}, "fromaddress": {froms[c]}, "requestedTime": "{rq}", '
        f'"deliveryTime": "{dl}", "modifiedTime": "{md}", "status": {statuses[st]}, "size": {sz}, '
        f'"remarks": {rm}, {tails[c]}, "opens": [{op}], "clicks": [{ck}]}}'
        for t, a, c, rq, dl, md, st, sz, rm, op, ck in zip(
            page.trid, page.address, page.campaign, page.requested, page.delivered,
            page.modified, page.status, page.size, page.remarks, page.opens, page.clicks,
            strict=True,
        )
    ]  # fmt: skip


def csv_chunks(
    world: NetcoreWorld, selection: Selection, rows_per_chunk: int = 20_000
) -> Iterator[bytes]:
    """The Download Logs file (RFC 4180; `opens`, `clicks` as compact JSON text), in chunks."""
    campaigns = world.campaigns
    for start in range(0, max(len(selection), 1), rows_per_chunk):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if start == 0:
            writer.writerow(LOG_COLUMNS)
        part = slice(start, min(start + rows_per_chunk, len(selection)))
        page = _page(world, selection, part, compact=True)
        writer.writerows(
            (
                t, a, campaigns[c].from_address, rq, dl, md, st, sz, rm, campaigns[c].subject,
                campaigns[c].id, campaigns[c].name, f"[{op}]", f"[{ck}]",
            )
            for t, a, c, rq, dl, md, st, sz, rm, op, ck in zip(
                page.trid, page.address, page.campaign, page.requested, page.delivered,
                page.modified, page.status, page.size, page.remarks, page.opens, page.clicks,
                strict=True,
            )
        )  # fmt: skip
        yield buffer.getvalue().encode("utf-8")
