"""Netcore's seen opens and clicks with their truth labels (sandbox.reports.human): a machine's
event is one from the world's machine IP prefixes (sandbox.machines.machine_ip)."""

from __future__ import annotations

import numpy as np

from sandbox.machines import machine_ip
from sandbox.netcore.facts import Seen, event_index, keys
from sandbox.netcore.store import NetcoreWorld
from sandbox.reports.human import CLICK, OPEN, Engagement


def engagement(world: NetcoreWorld, facts: Seen) -> Engagement:
    """Every seen open and click of the messages at the clock, at its true time (ms; the
    truth reads the account-local text back when it formats one)."""
    states, names = facts.states, keys(world)[1]
    ids = [c.id for c in world.campaigns]
    parts = []
    for kind, starts, at, ip, counts in (
        (OPEN, world.open_start, world.open_at, world.open_ip, states.opens),
        (CLICK, world.click_start, world.click_at, world.click_ip, states.clicks),
    ):
        owner, index = event_index(starts, states.rows, counts)
        parts.append(
            Engagement(
                ids,
                facts.campaign[owner],
                facts.key[owner].astype(np.int64),
                np.full(len(owner), kind, np.int8),
                at[index] * 1000,
                machine_ip(world.machine_prefixes, ip[index]),
                lambda codes: [names[i] for i in codes.tolist()],
            )
        )
    return Engagement.join(parts)
