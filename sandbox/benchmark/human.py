"""Benchmark's visible campaign opens and clicks with their truth labels
(sandbox.reports.human), recipients by their lower-cased address."""

from __future__ import annotations

import numpy as np

from sandbox.benchmark.digest import Digest
from sandbox.benchmark.model import CLICKED, OPENED, TYPE_CODE
from sandbox.reports.human import CLICK, OPEN, Engagement


def engagement(d: Digest) -> Engagement:
    """Every visible `email-opened` and `email-clicked` of a campaign journey."""
    world, ev = d.world, d.world.events
    opened = ev.type == TYPE_CODE[OPENED]
    index = np.flatnonzero(d.visible & (opened | (ev.type == TYPE_CODE[CLICKED])))
    journeys = ev.journey[index]
    campaign = ev.journey_campaign[journeys]
    keep = campaign >= 0
    index, journeys, campaign = index[keep], journeys[keep], campaign[keep]
    recipients = world.recipients
    return Engagement(
        [c.id for c in world.campaigns],
        campaign.astype(np.int64),
        ev.journey_contact[journeys].astype(np.int64),
        np.where(opened[index], OPEN, CLICK).astype(np.int8),
        ev.at[index],
        ev.machine_labels()[index] != 0,
        lambda codes: [recipients[i].key for i in codes.tolist()],
    )
