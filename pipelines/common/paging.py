"""Paging every listing to its end: dlt paginators that lose nothing under a page-size cap and fail
a listing short of its reported total (docs/CONTRACTS.md, "Paging to the end"; DECISIONLOG.md).

dlt's `RESTClient.paginate` drives the requests; `CompletePaginator` decides the next page. It
pages until an **empty page**, or until the records received reach the latest reported total. It
never stops on `page * size >= total` or on a page shorter than asked: a server may serve fewer
records per page than asked (a page-size cap; no provider documents its maximum), and either rule
would end the listing early and lose the rest without a word.

* A page shorter than asked that turns out not to be the last (more records follow, or the
  total says so) is a capped page: a warning names the provider, endpoint, page and the records
  received and asked, once per endpoint and run. From then on the pages ask for the size the server
  served, so the next page starts where the received records end whether the server counts its
  offsets (page numbers, scroll positions) by the size it serves or by the size asked.
* When the listing ends below the reported total, `ProviderError` names the provider and endpoint
  with both counts: the run fails (the CLI exits non-zero) before the resource's state moves, so
  nothing already loaded is lost and the next run reads the listing again (the merge keys make the
  re-read harmless). More records than the total is no error: totals move while new records arrive.

dlt's own `PageNumberPaginator` and `OffsetPaginator` do neither (the first reads a total as pages,
the second stops at `offset >= total` and advances by the size asked), hence these subclasses of
its `BasePaginator`. A subclass says where the page goes in the request (`place`) and where the
total is (`total_of`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response

from pipelines.common.errors import ProviderError, shape_of

logger = logging.getLogger(__name__)

# (provider, endpoint) pairs warned about in this run: a load runs one source per window, so the
# memo outlives a source; the runner clears it when a provider's load starts.
WARNED: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class PageRequest:
    """Where the next page should start: `offset` = records received so far; `number` = its
    1-based page number in pages of `size` (`(number - 1) * size == offset` whenever a
    page-number endpoint can express the offset; see `CompletePaginator.advance`)."""

    number: int
    offset: int
    size: int


class CompletePaginator(BasePaginator):
    """A listing read to its end (see the module docstring).

    ``endpoint`` names the listing in messages (`GET /api/contact/events`) and keys the
    once-per-run warning; ``detail`` adds the request's scope (` for 2026-04-01`). ``max_pages``
    bounds a listing that reports no total. A consumer that stops early on purpose (an
    incremental stop) simply stops iterating: nothing is checked then.
    """

    def __init__(
        self,
        provider: str,
        endpoint: str,
        size: int,
        *,
        detail: str = "",
        max_pages: int | None = None,
    ) -> None:
        super().__init__()
        self.provider, self.endpoint, self.detail = provider, endpoint, detail
        self.first_size, self.max_pages = size, max_pages
        self.restart()

    def restart(self) -> None:
        self._has_next_page = True
        self.received, self.number, self.size = 0, 1, self.first_size
        self.total: int | None = None
        self.short: tuple[int, int, int] | None = None  # a short page not yet known to be the last
        self.fetched = 0

    @property
    def next(self) -> PageRequest:
        return PageRequest(self.number, self.received, self.size)

    # -- dlt's paginator interface -------------------------------------------------------------

    def init_request(self, request: Request) -> None:
        self.restart()
        self.place(request, self.next)

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        self.advance(len(data or []), self.total_of(response, data or []))

    def update_request(self, request: Request) -> None:
        self.place(request, self.next)

    def place(self, request: Request, page: PageRequest) -> None:
        """Write ``page`` into ``request`` (query parameters or JSON body)."""
        raise NotImplementedError

    def total_of(self, response: Response, data: list[Any]) -> int | None:
        """The total the server reports with this page (None: the endpoint reports none)."""
        return None

    # -- the rule ------------------------------------------------------------------------------

    def advance(self, count: int, total: int | None) -> None:
        """Take a page of ``count`` records reporting ``total``: move to the next page, or end
        the listing (an error when it ends below the total)."""
        self.fetched += 1
        if total is not None:
            self.total = total
        if count == 0:
            self._has_next_page = False
            if self.total is not None and self.received < self.total:
                raise ProviderError(
                    self.provider,
                    f"{self.endpoint}{self.detail}: received {self.received} of the "
                    f"{self.total} records the server reported; page {self.number} (asking "
                    f"{self.size}) came back empty before the total, so the listing is "
                    "incomplete and this load fails (earlier loads are kept). Run the load "
                    "again; if this persists, report it to the provider (a page-size cap that "
                    "skips records, or a total that counts records it does not serve)",
                )
            return
        if self.short is not None:  # the short page was not the last: the server caps pages
            self._warn(*self.short)
            self.short = None
        self.received += count
        if self.total is not None and self.received >= self.total:
            self._has_next_page = False
            return
        if count < self.size:
            self.short = (self.number, count, self.size)
            if self.total is not None:  # records are missing: this page was capped
                self._warn(*self.short)
                self.short = None
            if self.received % count == 0:  # a page number can express the offset
                self.size, self.number = count, self.received // count + 1
            else:
                self.number += 1
        else:
            self.number += 1
        if self.max_pages is not None and self.fetched >= self.max_pages:
            raise ProviderError(
                self.provider,
                f"{self.endpoint}{self.detail}: paging did not end after {self.fetched} pages "
                f"({self.received} records)",
            )

    def _warn(self, number: int, count: int, asked: int) -> None:
        if (self.provider, self.endpoint) in WARNED:
            return
        WARNED.add((self.provider, self.endpoint))
        logger.warning(
            "%s: %s%s: page %d held %d records where %d were asked, and more followed: the "
            "server serves at most %d per page; paging on with pages of %d (warned once per "
            "endpoint and run)",
            self.provider,
            self.endpoint,
            self.detail,
            number,
            count,
            asked,
            count,
            count,
        )


class PageSizePaginator(CompletePaginator):
    """`page` (1-based) and `size` as query parameters, or in the JSON body (``in_body``); the
    body holds the records under ``records_key`` and their total under ``total_key`` (Benchmark:
    `{"total", "records"}`, the contact search `{"totalRecords", "contacts"}`)."""

    def __init__(
        self,
        provider: str,
        endpoint: str,
        size: int,
        *,
        records_key: str,
        total_key: str,
        in_body: bool = False,
    ) -> None:
        super().__init__(provider, endpoint, size)
        self.records_key, self.total_key, self.in_body = records_key, total_key, in_body

    def place(self, request: Request, page: PageRequest) -> None:
        values = {"page": page.number, "size": page.size}
        if self.in_body:
            request.json = {**cast(dict[str, Any], request.json or {}), **values}
        else:
            request.params = {**cast(dict[str, Any], request.params or {}), **values}

    def total_of(self, response: Response, data: list[Any]) -> int | None:
        body = response.json()
        records = body.get(self.records_key) if isinstance(body, dict) else None
        total = body.get(self.total_key) if isinstance(body, dict) else None
        number = isinstance(total, int | float) and not isinstance(total, bool)
        if not isinstance(records, list) or not number:
            raise ProviderError(
                self.provider,
                f"{self.endpoint} page {self.number}: expected {{'{self.total_key}', "
                f"'{self.records_key}'}}, got {shape_of(body)}",
            )
        return int(cast(float, total))
