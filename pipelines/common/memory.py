"""Peak memory of one provider's load, for the load summary.

The loads of several providers run one after another in one process, and DuckDB works inside it,
so a provider's peak is the process's resident-set peak since that provider started. Linux keeps
that peak (`VmHWM`) and lets a process reset it (`/proc/self/clear_refs`, value 5); elsewhere the
figure is the process's peak so far (`getrusage`), which `PeakMemory.since_start` says.
"""

from __future__ import annotations

import re
import resource
import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


class PeakMemory:
    """Started with a provider's load; `mb()` is its peak resident memory in MB so far."""

    def __init__(self) -> None:
        self.since_start = reset_peak()

    def mb(self) -> float:
        return peak_rss_mb()


def reset_peak() -> bool:
    """Reset the process's resident-set peak; False where the system does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """The process's resident-set peak in MB (since the last reset, where there was one)."""
    try:
        found = re.search(r"VmHWM:\s+(\d+)\s*kB", _STATUS.read_text())
    except OSError:
        found = None
    if found:
        return int(found.group(1)) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
