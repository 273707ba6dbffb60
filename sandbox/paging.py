"""The page-size cap faults shared by the paged listings of the simulators (docs/CONTRACTS.md,
"Paging to the end").

A real server may serve fewer records per page than asked (no provider documents its maximum
page size) and may count its offsets either way: by the size it serves (page `p` starts at
`(p - 1) × served`, a scroll advances by what it served) or by the size asked (page `p` starts at
`(p - 1) × asked`, a scroll advances by the size asked, skipping what it did not serve). `PageCap`
models both; with `size = 0` it is off and every page holds what was asked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageCap:
    """At most ``size`` records per page (0 = no cap); offsets from the size asked when
    ``from_asked`` (a client that keeps asking for more than the cap then skips records)."""

    size: int = 0
    from_asked: bool = False

    def served(self, asked: int) -> int:
        """How many records a page asked for ``asked`` holds (at most)."""
        return min(asked, self.size) if self.size else asked

    def advance(self, asked: int) -> int:
        """How far a scroll moves after a page asked for ``asked``."""
        return asked if self.from_asked else self.served(asked)

    def page(self, number: int, asked: int) -> slice:
        """The records of 1-based page ``number`` of pages asked for ``asked`` records."""
        start = (number - 1) * self.advance(asked)
        return slice(start, start + self.served(asked))

    def at(self, offset: int, asked: int) -> slice:
        """The records of a page starting at row ``offset`` (offset paging)."""
        return slice(offset, offset + self.served(asked))
