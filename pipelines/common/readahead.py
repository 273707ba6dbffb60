"""Concurrent page requests for page-number listings, with the result of a sequential read.

`read_ahead` reads a listing with a `CompletePaginator` (pipelines/common/paging.py) exactly as
dlt's `RESTClient.paginate` would, page after page in order, and meanwhile asks for the next
pages the paginator will want (up to ``concurrency`` requests in flight). Page 1 is read alone:
its total bounds the pages asked ahead. Every page is handed to the paginator in order, and only a
page whose request (number and size) is the one the paginator wants next is used: when a page
comes back capped (the paginator then asks for smaller pages) or the listing ends, the pages asked
ahead with the old plan are dropped and the paginator's next request is made. So the pages, their
order and the errors are those of the sequential read; a failing page (an HTTP error after the
shared retries, 429 included, or a listing short of its total) raises in its turn, before any
later page is yielded, so the caller's state never moves past it.

Rate limits: each request goes through the shared HTTP layer (`HttpClient.request`: 429 and 5xx
retried after `Retry-After`), so a limited page waits in its own thread; ``concurrency`` bounds
how many requests are in flight at once (a setting of each source that uses it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import requests

from pipelines.common.paging import CompletePaginator

Fetch = Callable[[int, int], requests.Response]  # (page number, page size) -> a 200 response
Records = Callable[[requests.Response], list[Any]]  # the records of a page (parsed once)


def read_ahead(
    paginator: CompletePaginator, fetch: Fetch, records_of: Records, concurrency: int
) -> Generator[list[Any], None, None]:
    """The non-empty pages of a listing, in order (see the module doc)."""
    paginator.restart()
    pending: dict[tuple[int, int], Future[requests.Response]] = {}

    def plan(pool: ThreadPoolExecutor) -> tuple[int, int]:
        """Drop the pages asked with a plan the paginator left; ask for the ones it will want."""
        want = paginator.next
        for key in [k for k in pending if k[1] != want.size or k[0] < want.number]:
            pending.pop(key).cancel()
        for number in _ahead(paginator, want.number, want.size, concurrency):
            if (number, want.size) not in pending:
                pending[(number, want.size)] = pool.submit(fetch, number, want.size)
        return want.number, want.size

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        try:
            key = plan(pool)
            while True:
                response = pending.pop(key).result()
                data = records_of(response)
                paginator.update_state(response, data)
                if paginator.has_next_page:
                    key = plan(pool)  # in flight while the caller takes this page
                if data:
                    yield data
                if not paginator.has_next_page:
                    break
        finally:
            for future in pending.values():
                future.cancel()


def _ahead(paginator: CompletePaginator, number: int, size: int, concurrency: int) -> range:
    """The page numbers to have in flight: the next one, and while the total is known the ones
    after it up to the last page the total implies."""
    if paginator.total is None:
        return range(number, number + 1)
    remaining = max(0, paginator.total - paginator.received)
    last = number + max(0, math.ceil(remaining / size) - 1)
    return range(number, min(number + concurrency, last + 1))
