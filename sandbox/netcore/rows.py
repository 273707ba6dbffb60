"""Netcore's message rows rendered from columns (PROVIDERS.md 3.4, docs/CONTRACTS.md 6.1): the
JSON of the events API and the Download Logs CSV, byte for byte what `json.dumps` of a row dict
(the v2 CLI / v5.1 field order) and `csv.writer` of its values give, but assembled from fragments
JSON-encoded once per distinct value (campaign, recipient, remark, link; cached on the world)
and times rendered an array at a time (sandbox.netcore.localtime).

`Selection` is the rows a query selected at the clock of the request, in the order served, with
the status each shows (`unknown` codes the surprise status, sandbox.netcore.surprise)."""

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
from sandbox.netcore.model import PROCESSED, SENT, STATUSES
from sandbox.netcore.states import States
from sandbox.netcore.store import DELIVERY_REMARK, STATUS_CODE, NetcoreWorld, delivery_remark, ip_text

LOG_COLUMNS = (
    "trid", "rcptEmail", "fromaddress", "requestedTime", "deliveryTime", "modifiedTime", "status",
    "size", "remarks", "subject", "xapiheader", "tags", "opens", "clicks",
)  # fmt: skip
UNKNOWN = len(STATUSES)  # the status code of the surprise status
_QUIET = np.array([STATUS_CODE[PROCESSED], STATUS_CODE[SENT]], np.int8)  # no remarks yet
ROW = (
    '{{"trid": {}, "rcptEmail": {}, "fromaddress": {}, "requestedTime": "{}", '
    '"deliveryTime": "{}", "modifiedTime": "{}", "status": {}, "size": {}, "remarks": {}, {}, '
    '"opens": [{}], "clicks": [{}]}}'
)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Selection:
    """Rows selected at the clock, in serving order; `status` with the surprise status coded
    `UNKNOWN` (named `unknown`)."""

    states: States
    status: np.ndarray  # int8
    unknown: str

    def __len__(self) -> int:
        return len(self.states)


class Fragments:
    """JSON text of the world's distinct values, made once and kept on the world."""

    def __init__(self, world: NetcoreWorld) -> None:
        self.world = world
        self.campaign_from = [dumps(c.from_address) for c in world.campaigns]
        self.campaign_tail = [
            f'"subject": {dumps(c.subject)}, "xapiheader": {dumps(c.id)}, "tags": {dumps(c.name)}'
            for c in world.campaigns
        ]
        self.links = [[dumps(link) for link in c.links] for c in world.campaigns]
        self.remarks = [dumps(r) for r in world.remarks]
        self.recipients = [dumps(r.address) for r in world.recipients]

    @classmethod
    def of(cls, world: NetcoreWorld) -> Fragments:
        found = world.cache.get(cls)
        if found is None:
            found = world.cache[cls] = cls(world)
        return found  # type: ignore[no-any-return]


@dataclass
class _Page:
    """The values of a run of rows, as Python lists, times as text."""

    rows: list[int]
    trid: list[int]
    campaign: list[int]
    size: list[int]
    status: list[str]
    remark: list[int]  # -1 delivery remark, -2 none
    requested: list[str]
    delivered: list[str]
    modified: list[str]
    opens: list[list[tuple[str, str]]]  # (ip, time)
    clicks: list[list[tuple[str, int, str]]]  # (ip, link index, time)


def _page(world: NetcoreWorld, selection: Selection, part: slice, zone: tzinfo) -> _Page:
    states = selection.states.take(part)
    rows = states.rows
    status = selection.status[part]
    names = [*STATUSES, selection.unknown]
    remark = world.remark[rows].astype(np.int64)
    remark[np.isin(status, _QUIET)] = -2
    delivered = states.delivered_s
    texts = local_texts(np.concatenate((world.requested_s[rows], delivered, states.modified_s)), zone)
    n = len(rows)
    delivered_text = texts[n : 2 * n]
    for i in np.flatnonzero(delivered < 0).tolist():
        delivered_text[i] = ""
    return _Page(
        rows.tolist(),
        world.trid[rows].tolist(),
        world.campaign[rows].tolist(),
        world.size[rows].tolist(),
        [names[s] for s in status.tolist()],
        remark.tolist(),
        texts[:n],
        delivered_text,
        texts[2 * n :],
        _events(world, world.open_start, world.open_at, world.open_ip, None, states.rows, states.opens, zone),
        _events(world, world.click_start, world.click_at, world.click_ip, world.click_link, states.rows, states.clicks, zone),
    )  # fmt: skip


def _events(
    world: NetcoreWorld,
    starts: np.ndarray,
    at: np.ndarray,
    ips: np.ndarray,
    links: np.ndarray | None,
    rows: np.ndarray,
    counts: np.ndarray,
    zone: tzinfo,
) -> list[Any]:
    """Per row, its seen events as (ip, [link,] time text)."""
    result: list[Any] = [[] for _ in range(len(rows))]
    if not counts.any():
        return result
    owner = np.repeat(np.arange(len(rows)), counts)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    index = starts[rows][owner] + offset
    times = local_texts(at[index], zone)
    ip_list = [ip_text(ip) for ip in ips[index].tolist()]
    if links is None:
        for o, ip, t in zip(owner.tolist(), ip_list, times, strict=True):
            result[o].append((ip, t))
    else:
        for o, ip, link, t in zip(owner.tolist(), ip_list, links[index].tolist(), times, strict=True):
            result[o].append((ip, link, t))
    return result


def _remark(fragments: Fragments, code: int, trid: int) -> str:
    if code == -2:
        return '""'
    if code == DELIVERY_REMARK:
        return f'"{delivery_remark(trid)}"'
    return fragments.remarks[code]


def _recipient(world: NetcoreWorld, fragments: Fragments, row: int) -> str:
    if row in world.addresses or world.outcome[row] == STATUS_CODE["invalid"]:
        return dumps(world.address(row))
    return fragments.recipients[int(world.recipient[row])]


def json_rows(world: NetcoreWorld, selection: Selection, part: slice, zone: tzinfo) -> list[str]:
    """The events-API JSON of rows `part` of the selection."""
    fragments = Fragments.of(world)
    page = _page(world, selection, part, zone)
    rows = []
    for i, row in enumerate(page.rows):
        c = page.campaign[i]
        links = fragments.links[c]
        opens = ", ".join(f'{{"ip": "{ip}", "time": "{t}"}}' for ip, t in page.opens[i])
        clicks = ", ".join(
            f'{{"ip": "{ip}", "link": {links[link]}, "time": "{t}"}}' for ip, link, t in page.clicks[i]
        )
        rows.append(
            ROW.format(
                page.trid[i], _recipient(world, fragments, row), fragments.campaign_from[c],
                page.requested[i], page.delivered[i], page.modified[i], dumps(page.status[i]),
                page.size[i], _remark(fragments, page.remark[i], page.trid[i]),
                fragments.campaign_tail[c], opens, clicks,
            )  # fmt: skip
        )
    return rows


def csv_chunks(
    world: NetcoreWorld, selection: Selection, zone: tzinfo, rows_per_chunk: int = 20_000
) -> Iterator[bytes]:
    """The Download Logs file (RFC 4180; `opens`, `clicks` as compact JSON text), in chunks."""
    campaigns = world.campaigns
    for start in range(0, max(len(selection), 1), rows_per_chunk):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if start == 0:
            writer.writerow(LOG_COLUMNS)
        part = slice(start, min(start + rows_per_chunk, len(selection)))
        page = _page(world, selection, part, zone)
        lines = []
        for i, row in enumerate(page.rows):
            campaign = campaigns[page.campaign[i]]
            links = Fragments.of(world).links[page.campaign[i]]
            code = page.remark[i]
            lines.append(
                (
                    page.trid[i], world.address(row), campaign.from_address, page.requested[i],
                    page.delivered[i], page.modified[i], page.status[i], page.size[i],
                    "" if code == -2 else delivery_remark(page.trid[i]) if code == DELIVERY_REMARK
                    else world.remarks[code],
                    campaign.subject, campaign.id, campaign.name,
                    "[" + ",".join(f'{{"ip":"{ip}","time":"{t}"}}' for ip, t in page.opens[i]) + "]",
                    "[" + ",".join(f'{{"ip":"{ip}","link":{links[link]},"time":"{t}"}}'
                                   for ip, link, t in page.clicks[i]) + "]",
                )
            )  # fmt: skip
        writer.writerows(lines)
        yield buffer.getvalue().encode("utf-8")
