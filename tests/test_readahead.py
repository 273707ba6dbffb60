"""Concurrent page requests (pipelines/common/readahead.py) against page/size listings served by
pure functions in threads: the pages, their order and the errors are those of the sequential read
(`PageSizePaginator` as dlt drives it) under any page-size cap; page 1 is read alone; no more than
``concurrency`` requests are in flight; a failing page fails the read before any later page is
handed over. Over real HTTP: tests/test_benchmark_source.py (the loads use the default
concurrency)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Generator
from typing import Any

import pytest
import requests

from pipelines.common.errors import ProviderError
from pipelines.common.paging import PageSizePaginator
from pipelines.common.readahead import read_ahead
from sandbox.paging import PageCap


class Listing:
    """A `{"total", "records"}` endpoint serving ``records`` under ``cap``, recording the
    requests (page, size) and the most in flight at once; ``fail`` pages raise."""

    def __init__(self, count: int, cap: PageCap | None = None, *, extra: int = 0) -> None:
        self.records, self.cap, self.extra = list(range(count)), cap or PageCap(), extra
        self.asked: list[tuple[int, int]] = []
        self.fail: set[int] = set()
        self.in_flight = self.most = 0
        self.lock = threading.Lock()

    def fetch(self, number: int, size: int) -> requests.Response:
        with self.lock:
            self.asked.append((number, size))
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            time.sleep(0.002 * (number % 3))  # answers out of order
            if number in self.fail:
                raise ProviderError("Acme", f"GET /things returned HTTP 500 on page {number}")
            response = requests.Response()
            response.status_code = 200
            body = {
                "total": len(self.records) + self.extra,
                "records": self.records[self.cap.page(number, size)],
            }
            response._content = json.dumps(body).encode()
            return response
        finally:
            with self.lock:
                self.in_flight -= 1


def records_of(response: requests.Response) -> list[Any]:
    return list(response.json()["records"])


def paginator(size: int = 10) -> PageSizePaginator:
    return PageSizePaginator("Acme", "GET /things", size, records_key="records", total_key="total")


def read(listing: Listing, concurrency: int, size: int = 10) -> Generator[list[Any], None, None]:
    return read_ahead(paginator(size), listing.fetch, records_of, concurrency)


def sequential(listing: Listing, size: int = 10) -> list[list[Any]]:
    return list(read(listing, 1, size))


@pytest.mark.parametrize("count", [0, 1, 10, 11, 95, 100, 237])
@pytest.mark.parametrize("cap", [PageCap(), PageCap(7), PageCap(7, from_asked=True)], ids=repr)
@pytest.mark.parametrize("concurrency", [2, 4, 10])
def test_the_pages_of_a_sequential_read_in_order(
    count: int, cap: PageCap, concurrency: int
) -> None:
    listing = Listing(count, cap)
    pages = list(read(listing, concurrency))
    assert pages == sequential(Listing(count, cap))
    assert [r for page in pages for r in page] == list(range(count))
    assert listing.asked[0] == (1, 10) and listing.most <= concurrency


def test_page_one_alone_then_up_to_concurrency_at_once() -> None:
    listing = Listing(1000)
    first = read(listing, 4)
    next(first)
    assert listing.asked[:1] == [(1, 10)]
    deadline = time.monotonic() + 5
    while len(listing.asked) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)  # asked while the caller holds page 1
    assert sorted(listing.asked[1:]) == [(2, 10), (3, 10), (4, 10), (5, 10)]
    assert len(list(first)) == 99
    assert sorted(listing.asked) == [(n, 10) for n in range(1, 101)]  # none beyond the total
    assert listing.most > 1


def test_a_failing_page_fails_the_read_after_the_pages_before_it() -> None:
    listing = Listing(100)
    listing.fail = {5}
    handed: list[list[Any]] = []
    with pytest.raises(ProviderError, match="page 5"):
        for page in read(listing, 4):
            handed.append(page)
    assert handed == [list(range(n * 10, n * 10 + 10)) for n in range(4)]


def test_a_listing_short_of_its_total_fails_as_the_sequential_read() -> None:
    with pytest.raises(ProviderError, match="received 40 of the 43 records"):
        list(read(Listing(40, extra=3), 4))


def test_a_consumer_that_stops_early_ends_the_requests() -> None:
    listing = Listing(10_000)
    pages = read(listing, 4)
    assert next(pages) == list(range(10))
    pages.close()
    assert len(listing.asked) <= 1 + 4
