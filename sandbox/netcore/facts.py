"""What Netcore's truth reads of the messages at a clock, as arrays (sandbox.netcore.truth and
sandbox.netcore.pairtable): each message's recipient key (its lower-cased address, coded), the
class of its bounce (sandbox.netcore.bounces) and times read back from the account-local text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from sandbox.netcore.bounces import plain_classes
from sandbox.netcore.localtime import read_back_seconds
from sandbox.netcore.model import BOUNCE, HARDBOUNCE, INVALID, SOFTBOUNCE
from sandbox.netcore.states import States, states_at
from sandbox.netcore.store import STATUS_CODE, NetcoreWorld, delivery_remark, invalid_address

CLASSES = (None, "hard", "soft", "block", "unknown")  # bounce class codes 0..4
CLASS_CODE = {name: code for code, name in enumerate(CLASSES)}


def keys(world: NetcoreWorld) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Per message its key code, the key of each code (lower-cased addresses) and each code's
    rank among the keys sorted (cached on the world)."""
    found = world.cache.get("keys")
    if found is None:
        names = [r.key for r in world.recipients]
        index = {name: code for code, name in enumerate(names)}
        codes = world.recipient.astype(np.int64)
        odd = set(np.flatnonzero(world.outcome == STATUS_CODE[INVALID]).tolist())
        for row in sorted(odd | set(world.addresses)):
            found_address = world.addresses.get(row)
            if found_address is None:
                found_address = invalid_address(world.recipients[int(codes[row])].address)
            key = found_address.lower()
            codes[row] = index.setdefault(key, len(names))
            if codes[row] == len(names):
                names.append(key)
        rank = np.empty(len(names), np.int64)
        rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
        found = world.cache["keys"] = (codes, names, rank)
    return found  # type: ignore[no-any-return]


def bounce_classes(world: NetcoreWorld, states: States) -> np.ndarray:
    """Per state, the class code of its bounce (`CLASSES`; 0 when its status is no bounce)."""
    plain = world.cache.get("plain_classes")
    if plain is None:
        names = plain_classes(world.remarks, delivery_remark(0))
        plain = world.cache["plain_classes"] = np.array([CLASS_CODE[n] for n in names], np.int8)
    status = states.status
    result = np.zeros(len(states), np.int8)
    result[status == STATUS_CODE[HARDBOUNCE]] = CLASS_CODE["hard"]
    result[status == STATUS_CODE[SOFTBOUNCE]] = CLASS_CODE["soft"]
    is_plain = status == STATUS_CODE[BOUNCE]
    result[is_plain] = plain[world.remark[states.rows[is_plain]].astype(np.int64) + 1]
    return result


@dataclass(frozen=True)
class Seen:
    """The messages requested before the clock, in their state at it, with their campaign,
    recipient key code and bounce class code."""

    states: States
    campaign: np.ndarray
    key: np.ndarray
    klass: np.ndarray


def seen(world: NetcoreWorld, now_ms: int) -> Seen:
    """The messages at the clock (the last clock's kept on the world: the truth document reads
    them three times)."""
    last = world.cache.get("seen")
    if last is not None and last[0] == now_ms:
        return last[1]  # type: ignore[no-any-return]
    states = states_at(world, now_ms, 0, now_ms // 1000 + 1)
    codes = keys(world)[0]
    found = Seen(
        states,
        world.campaign[states.rows].astype(np.int64),
        codes[states.rows],
        bounce_classes(world, states),
    )
    world.cache["seen"] = (now_ms, found)
    return found


def event_index(
    starts: np.ndarray, rows: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The seen events (a prefix of `counts` per row) of `rows`: (position in rows, index into
    the flat event arrays)."""
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    before = np.repeat(np.cumsum(counts) - counts, counts)
    return owner, starts[rows][owner] + (np.arange(len(owner), dtype=np.int64) - before)


def read_back_ms(at_s: np.ndarray, zone: tzinfo) -> np.ndarray:
    """Epoch ms a loader reads back from the local text of each instant (pairs.read_back_ms)."""
    return read_back_seconds(at_s, zone) * 1000
