"""The one paging loop of every paged listing of every provider (docs/CONTRACTS.md, "Paging to
the end").

A provider describes one request, `fetch(PageRequest) -> Page`: it asks the server for the page
that starts after the records received so far and returns its records with the total the server
reports (`None` when the endpoint reports none). `Pager.pages` then pages until an **empty page**,
or until the records received reach the latest reported total. It never stops on
`page * size >= total` or on a page shorter than asked: a server may serve fewer records per page
than asked (a page-size cap; no provider documents its maximum), and either rule would end the
listing early and lose the rest without a word.

* A page shorter than asked that turns out not to be the last (more records follow, or the
  total says so) is a capped page: a warning names the provider, endpoint, page and the records
  received and asked, once per endpoint and run. From then on the pages ask for the size the server
  served, so the next page starts where the received records end whether the server counts its
  offsets (page numbers, scroll positions) by the size it serves or by the size asked.
* When the listing ends below the reported total, `ProviderError` names the provider and endpoint
  with both counts: the run fails (the CLI exits non-zero) before the resource's state moves, so
  nothing already loaded is lost and the next run reads the listing again (the merge keys make the
  re-read harmless). More records than the total is no error: totals move while new records arrive.

dlt's REST client paginators were not used (DECISIONLOG.md, "Paging to the end"): its
`OffsetPaginator` advances by the size asked and stops at `offset >= total`, its
`PageNumberPaginator` reads the total as a number of pages, and neither adapts to a cap, warns,
nor checks the received count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pipelines.common.errors import ProviderError

logger = logging.getLogger(__name__)

# (provider, endpoint) pairs warned about in this run: a load runs one source per window, so the
# memo outlives a source; the runner clears it when a provider's load starts.
WARNED: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class PageRequest:
    """Where the next page should start: `offset` = records received so far; `number` = its
    1-based page number in pages of `size` (`(number - 1) * size == offset` whenever a
    page-number endpoint can express the offset; see `Pager.pages`)."""

    number: int
    offset: int
    size: int


@dataclass(frozen=True)
class Page:
    """One page as the server sent it: its records and the total it reports (if any)."""

    records: list[Any]
    total: int | None = None


class Pager:
    """Pages the listings of one provider; warns once per endpoint and run about capped pages."""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def pages(
        self,
        endpoint: str,
        fetch: Callable[[PageRequest], Page],
        size: int,
        *,
        detail: str = "",
        max_pages: int | None = None,
    ) -> Iterator[list[Any]]:
        """The non-empty pages of one listing, in order (see the module docstring).

        ``endpoint`` names the listing in messages (`GET /api/contact/events`) and keys the
        once-per-run warning; ``detail`` adds the request's scope to messages (`for 2026-04-01`).
        ``max_pages`` bounds a listing that reports no total. A consumer that stops early on
        purpose (an incremental stop) simply stops iterating: nothing is checked then.
        """
        received, number = 0, 1
        total: int | None = None
        short: tuple[int, int, int] | None = None  # a short page not yet known to be the last
        fetched = 0
        while True:
            if max_pages is not None and fetched >= max_pages:
                raise ProviderError(
                    self.provider,
                    f"{endpoint}{detail}: paging did not end after {fetched} pages "
                    f"({received} records)",
                )
            page = fetch(PageRequest(number, received, size))
            fetched += 1
            if page.total is not None:
                total = page.total
            count = len(page.records)
            if count == 0:
                break
            if short is not None:  # the short page was not the last: the server caps pages
                self._warn(endpoint, detail, *short)
                short = None
            received += count
            yield page.records
            if total is not None and received >= total:
                return
            if count < size:
                short = (number, count, size)
                if total is not None:  # records are missing: this page was capped
                    self._warn(endpoint, detail, *short)
                    short = None
                if received % count == 0:  # a page number can express the offset
                    size, number = count, received // count + 1
                else:
                    number += 1
            else:
                number += 1
        if total is not None and received < total:
            raise ProviderError(
                self.provider,
                f"{endpoint}{detail}: received {received} of the {total} records the server "
                f"reported; page {number} (asking {size}) came back empty before the total, so the "
                "listing is incomplete and this load fails (earlier loads are kept). Run the "
                "load again; if this persists, report it to the provider (a page-size cap that "
                "skips records, or a total that counts records it does not serve)",
            )

    def _warn(self, endpoint: str, detail: str, number: int, count: int, asked: int) -> None:
        if (self.provider, endpoint) in WARNED:
            return
        WARNED.add((self.provider, endpoint))
        logger.warning(
            "%s: %s%s: page %d held %d records where %d were asked, and more followed: the "
            "server serves at most %d per page; paging on with pages of %d (warned once per "
            "endpoint and run)",
            self.provider,
            endpoint,
            detail,
            number,
            count,
            asked,
            count,
            count,
        )
