"""The shared paging rule (pipelines/common/paging.py, `CompletePaginator`) against listings served
by pure functions: every record under a page-size cap whichever way the server counts offsets,
one warning per endpoint, an error naming provider and endpoint when the listing ends below its
total. The paginator is driven as dlt's `RESTClient.paginate` drives it (a page is asked for
`next`, then taken by `advance`, then yielded); the providers' paginators over real HTTP are
tested against the sandbox (tests/test_*_source.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from pipelines.common import paging
from pipelines.common.errors import ProviderError
from pipelines.common.paging import CompletePaginator, PageRequest
from sandbox.paging import PageCap


@dataclass(frozen=True)
class Page:
    """One page as the server sent it: its records and the total it reports (if any)."""

    records: list[int]
    total: int | None = None


Fetch = Callable[[PageRequest], Page]


def pages(
    fetch: Fetch,
    size: int,
    endpoint: str = "GET /things",
    *,
    detail: str = "",
    max_pages: int | None = None,
) -> Iterator[list[int]]:
    """The non-empty pages of a listing, as `HttpClient.pages` yields them from dlt's loop."""
    paginator = CompletePaginator("Acme", endpoint, size, detail=detail, max_pages=max_pages)
    while paginator.has_next_page:
        page = fetch(paginator.next)
        paginator.advance(len(page.records), page.total)
        if page.records:
            yield page.records


def by_page_number(
    records: list[int], cap: PageCap, *, total: bool = True, extra: int = 0
) -> Fetch:
    """A page/size endpoint (Benchmark, Netcore stats) serving ``records`` under ``cap``."""

    def fetch(request: PageRequest) -> Page:
        page = records[cap.page(request.number, request.size)]
        return Page(page, len(records) + extra if total else None)

    return fetch


def by_offset(records: list[int], cap: PageCap) -> Fetch:
    """An offset/limit endpoint (Netcore offset paging) serving ``records`` under ``cap``."""

    def fetch(request: PageRequest) -> Page:
        return Page(records[cap.at(request.offset, request.size)], len(records))

    return fetch


def read(fetch: Fetch, size: int = 25) -> list[int]:
    return [record for page in pages(fetch, size, detail=" for May") for record in page]


CAPS = [PageCap(), PageCap(7), PageCap(7, from_asked=True), PageCap(25), PageCap(24, True)]


@pytest.mark.parametrize("count", [0, 1, 7, 24, 25, 26, 88, 100])
@pytest.mark.parametrize("cap", CAPS, ids=repr)
@pytest.mark.parametrize(
    "endpoint",
    [
        lambda r, c: by_page_number(r, c),
        lambda r, c: by_page_number(r, c, total=False),
        by_offset,
    ],
    ids=["page-number", "page-number-no-total", "offset"],
)
def test_every_record_once_under_any_cap(
    count: int, cap: PageCap, endpoint: Callable[[list[int], PageCap], Fetch]
) -> None:
    records = list(range(count))
    assert read(endpoint(records, cap)) == records


def test_a_capped_page_warns_once_per_endpoint(caplog: pytest.LogCaptureFixture) -> None:
    paging.WARNED.clear()  # a new run (the runner clears it when a load starts)
    with caplog.at_level(logging.WARNING, logger="pipelines.common.paging"):
        read(by_page_number(list(range(88)), PageCap(7)))
        read(by_page_number(list(range(40)), PageCap(7)))  # same endpoint again
        other = pages(by_page_number(list(range(30)), PageCap(7)), 25, "GET /others")
        assert sum(len(p) for p in other) == 30
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 2, messages
    assert messages[0].startswith(
        "Acme: GET /things for May: page 1 held 7 records where 25 were asked"
    )
    assert messages[1].startswith("Acme: GET /others: page 1 held 7 records where 25 were asked")
    # A new source of the same run (the next window's load) does not warn again.
    read(by_page_number(list(range(40)), PageCap(7)))
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


@pytest.mark.parametrize("total", [True, False])
def test_a_short_last_page_is_no_warning(total: bool, caplog: pytest.LogCaptureFixture) -> None:
    paging.WARNED.clear()
    with caplog.at_level(logging.WARNING, logger="pipelines.common.paging"):
        assert read(by_page_number(list(range(60)), PageCap(), total=total)) == list(range(60))
        assert read(by_page_number(list(range(5)), PageCap(7), total=total)) == list(range(5))
    assert not caplog.records


@pytest.mark.parametrize("cap", [PageCap(), PageCap(7), PageCap(7, from_asked=True)], ids=repr)
def test_a_listing_ending_below_its_total_names_provider_and_endpoint(cap: PageCap) -> None:
    with pytest.raises(ProviderError) as error:
        read(by_page_number(list(range(88)), cap, extra=3))
    assert str(error.value).startswith(
        "Acme: GET /things for May: received 88 of the 91 records the server reported"
    )


def test_a_total_that_grows_while_paging_is_no_error() -> None:
    """Newest first, two records arrive after the first page: the pages repeat two records
    (the merge keys absorb them), every record of the start is read, and the count passes the
    first total without an error."""
    records = list(range(88))

    def fetch(request: PageRequest) -> Page:
        now = [-2, -1, *records] if request.number > 1 else records
        return Page(now[PageCap(7).page(request.number, request.size)], len(now))

    got = read(fetch)
    assert set(got) >= set(records) and len(got) == 90


def test_a_consumer_that_stops_on_purpose_gets_no_error() -> None:
    """The listing would end below its total, but the consumer (an incremental stop) leaves
    after the first page: no error is raised for pages it never asked for."""
    fetch = by_page_number(list(range(88)), PageCap(), extra=5)
    seen: list[list[int]] = []
    for page in pages(fetch, 25):
        seen.append(page)
        break
    assert seen == [list(range(25))]


def test_a_listing_without_total_that_never_ends_is_stopped() -> None:
    with pytest.raises(ProviderError, match="Acme: GET /things: paging did not end after 4 pages"):
        list(pages(lambda _: Page([1, 2]), 2, max_pages=4))
