"""APSIS One's visible opens and clicks with their truth labels (sandbox.reports.human)."""

from __future__ import annotations

import numpy as np

from sandbox.apsis_one.model import TYPES
from sandbox.apsis_one.visible import Visible
from sandbox.apsis_one.world import ApsisWorld
from sandbox.reports.human import CLICK, OPEN, Engagement

_OPENED, _CLICKED = TYPES.index("OPENED"), TYPES.index("CLICKED")


def engagement(world: ApsisWorld, v: Visible) -> Engagement:
    """Every visible OPENED and CLICKED at its effective time, labelled by its row's `machine`."""
    opened = v.kind == _OPENED
    selected = opened | (v.kind == _CLICKED)
    keys = v.recipient_keys
    return Engagement(
        v.campaign_ids,
        v.campaign[selected],
        v.recipient[selected].astype(np.int64),
        np.where(opened[selected], OPEN, CLICK).astype(np.int8),
        v.at[selected],
        world.columns.machine[v.rows(selected)] != 0,
        lambda codes: [keys[i] for i in codes.tolist()],
    )
