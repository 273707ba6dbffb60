"""Columns of Netcore's world (sandbox.netcore.store): put in request order from the generator's
arrays (`sorted_columns`), or made from a list of `NetcoreMessage` (`columns_of`, for worlds built
by hand in tests)."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np

from sandbox.audience import Recipient
from sandbox.netcore.model import DELIVERED, NetcoreCampaign, NetcoreMessage
from sandbox.netcore.store import (
    DELIVERY_REMARK,
    FINAL_CODE,
    NONE,
    REMARKS,
    STATUS_CODE,
    delivery_remark,
    invalid_address,
    ip_number,
)

DTYPES = {
    "trid": np.int64, "campaign": np.int16, "recipient": np.int32, "requested_s": np.int64,
    "size": np.int32, "outcome": np.int8, "outcome_dt": np.int32, "sent_dt": np.int32,
    "remark": np.int16, "final": np.int8, "final_dt": np.int32, "open_count": np.int32,
    "click_count": np.int32, "open_at": np.int64, "open_ip": np.uint32, "click_at": np.int64,
    "click_ip": np.uint32, "click_link": np.int8,
}  # fmt: skip
ARRAY_CODES = {
    "trid": "q", "campaign": "h", "recipient": "i", "requested_s": "q", "size": "i",
    "outcome": "b", "outcome_dt": "i", "sent_dt": "i", "remark": "h", "final": "b",
    "final_dt": "i", "open_count": "i", "click_count": "i", "open_at": "q", "open_ip": "I",
    "click_at": "q", "click_ip": "I", "click_link": "b",
}  # fmt: skip


def new_arrays() -> dict[str, array[Any]]:
    """Empty `array.array` columns for a generator to append to (in generation order)."""
    return {name: array(code) for name, code in ARRAY_CODES.items()}


def _events(starts: np.ndarray, counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions of the flat events of messages `order`, message after message."""
    counts = counts[order]
    total = int(counts.sum())
    new_starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    shift = np.repeat(starts[order] - new_starts, counts)
    return shift + np.arange(total, dtype=np.int64)


def _array(value: Any, name: str) -> np.ndarray:
    if isinstance(value, array):
        return np.frombuffer(value, DTYPES[name])
    return np.asarray(value, DTYPES[name])


def _take(raw: dict[str, Any], name: str) -> np.ndarray:
    """Column `name` as an array, removed from `raw` (so each source is freed once copied)."""
    return _array(raw.pop(name), name)


def sorted_columns(raw: dict[str, Any]) -> dict[str, np.ndarray]:
    """The store's columns from columns in generation order (`raw`, emptied as it is read, so
    each source is freed once copied): messages sorted by request time, then trid; opens and
    clicks regrouped behind offsets `open_start`, `click_start`."""
    trid = _take(raw, "trid")
    order = np.lexsort((trid, _array(raw["requested_s"], "requested_s")))
    columns: dict[str, np.ndarray] = {"trid": trid[order]}
    del trid
    for name in ("campaign", "recipient", "requested_s", "size", "outcome", "outcome_dt",
                 "sent_dt", "remark", "final", "final_dt"):  # fmt: skip
        columns[name] = _take(raw, name)[order]
    for kind, names in (("open", ("open_at", "open_ip")), ("click", ("click_at", "click_ip", "click_link"))):  # fmt: skip
        counts = _take(raw, f"{kind}_count").astype(np.int64)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        picked = _events(starts, counts, order)
        for name in names:
            columns[name] = _take(raw, name)[picked]
        columns[f"{kind}_start"] = np.concatenate(([0], np.cumsum(counts[order]))).astype(np.int64)
    return columns


def columns_of(
    campaigns: tuple[NetcoreCampaign, ...], messages: Sequence[NetcoreMessage]
) -> tuple[dict[str, np.ndarray], tuple[Recipient, ...], tuple[str, ...], dict[int, str]]:
    """Columns, recipients, remarks and address exceptions of a list of messages."""
    ordered = sorted(messages, key=lambda m: (m.requested_s, m.trid))
    campaign_index = {id(c): i for i, c in enumerate(campaigns)}
    recipients: dict[str, int] = {}
    people: list[Recipient] = []
    remarks = dict((r, i) for i, r in enumerate(REMARKS))
    addresses: dict[int, str] = {}
    raw: dict[str, list[Any]] = {name: [] for name in DTYPES}
    for row, m in enumerate(ordered):
        if m.recipient.key not in recipients:
            recipients[m.recipient.key] = len(people)
            people.append(m.recipient)
        derived = (
            invalid_address(m.recipient.address) if m.outcome == "invalid" else m.recipient.address
        )
        if m.address != derived:
            addresses[row] = m.address
        if m.outcome == DELIVERED and m.remarks == delivery_remark(m.trid):
            remark = DELIVERY_REMARK
        else:
            remark = remarks.setdefault(m.remarks, len(remarks))
        index = campaign_index.get(id(m.campaign))
        if index is None:
            index = campaigns.index(m.campaign)
        values = {
            "trid": m.trid, "campaign": index, "recipient": recipients[m.recipient.key],
            "requested_s": m.requested_s, "size": m.size, "outcome": STATUS_CODE[m.outcome],
            "outcome_dt": m.outcome_s - m.requested_s,
            "sent_dt": NONE if m.sent_s is None else m.sent_s - m.requested_s,
            "remark": remark, "final": FINAL_CODE[m.final], "final_dt": m.final_s - m.requested_s,
            "open_count": len(m.opens), "click_count": len(m.clicks),
        }  # fmt: skip
        for name, value in values.items():
            raw[name].append(value)
        for at, ip in m.opens:
            raw["open_at"].append(at)
            raw["open_ip"].append(ip_number(ip))
        for at, ip, link in m.clicks:
            raw["click_at"].append(at)
            raw["click_ip"].append(ip_number(ip))
            raw["click_link"].append(m.campaign.links.index(link))
    return sorted_columns(raw), tuple(people), tuple(remarks), addresses
