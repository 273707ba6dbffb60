"""Surprises a real account brings, served on request (docs/CONTRACTS.md 14): an event type or a
status the project does not map yet, and a Maxemail export column it does not declare.

They are faults on top of the world, not part of it: the world's events, every report the
simulators compute and every ground-truth number of the known event kinds stay exactly as they
are without the surprise. What the surprise adds is counted in Python, for the truth key
`unmapped_event_types` (`[{"raw_event_type", "count"}]`, the logical events a full load at the
world clock receives), which the dbt quarantine warning must name. Each provider's own surprise
lives in its package:

* APSIS One (`unknown_event_every`, `unknown_event_type`): sandbox/apsis_one/surprise.py.
* Netcore (`unknown_status_every`, `unknown_status`): sandbox/netcore/surprise.py.
* Maxemail (`extra_column`): sandbox/maxemail/files.py (`with_extra_column`).

Picking is a CRC-32 of a stable id modulo n (not Python's salted `hash`), so the same world and
settings give the same rows on every machine.
"""

from __future__ import annotations

import zlib


def picked(key: str, every: int) -> bool:
    """Whether the item with this stable id is one of the every-n-th (never when n <= 0)."""
    return every > 0 and zlib.crc32(key.encode("utf-8")) % every == 0
