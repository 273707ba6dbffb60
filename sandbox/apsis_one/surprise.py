"""APSIS One's surprise (docs/CONTRACTS.md 14; the overview is sandbox/surprises.py): with
`unknown_event_every` n > 0, every `OPENED` event picked by its correlation id comes with one more
export row, a copy of the open whose `type` is `unknown_event_type` (default `FORWARDED`) and
whose `correlation_id` ends in `-u`; retries are not copied. The setting is read when an export
is requested: the count assumes it held for every export. The export picks with
`picked_ids` (sandbox.apsis_one.export_file), the truth counts with `unknown_counts`.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from sandbox.apsis_one.model import TYPES

if TYPE_CHECKING:
    from sandbox.apsis_one.visible import Visible
    from sandbox.apsis_one.world import ApsisWorld

UNKNOWN_TYPE = "FORWARDED"
COPY_SUFFIX = "-u"
OPENED = TYPES.index("OPENED")
_BATCH = 1 << 18


def picked_ids(ids: np.ndarray, every: int) -> np.ndarray:
    """Which of the formatted correlation ids ((n, 36) uint8) are picked: CRC-32 of the id
    modulo `every` is 0 (sandbox.surprises.picked, on each id's text)."""
    if every <= 0 or not len(ids):
        return np.zeros(len(ids), bool)
    width = ids.shape[1]
    blob = memoryview(np.ascontiguousarray(ids).tobytes())
    crcs = np.fromiter(
        (zlib.crc32(blob[i : i + width]) for i in range(0, width * len(ids), width)),
        np.int64,
        len(ids),
    )
    return crcs % every == 0


def unknown_counts(
    world: ApsisWorld, visible: Visible, event_type: str, every: int
) -> list[dict[str, Any]]:
    """The truth's `unmapped_event_types`: the copies of events visible at the clock (their
    first copy is available before it)."""
    if every <= 0:
        return []
    opens = visible.rows(visible.kind == OPENED)
    count = 0
    for start in range(0, len(opens), _BATCH):
        rows = opens[start : start + _BATCH]
        count += int(picked_ids(world.columns.correlation_ids(rows), every).sum())
    return [{"raw_event_type": event_type, "count": count}] if count else []
