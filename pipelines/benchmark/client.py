"""Benchmark Email HTTP protocol: `X-API-Key` auth, page/size paging, the error envelope.

PROVIDERS.md section 4. dlt's `APIKeyAuth` sends the key; the paged listings are read by dlt's
`RESTClient` with `PageSizePaginator` (pipelines/common/paging.py). Errors are
`{"errors": [{"errorType", "message"}]}` and are raised with the documented path, the status, the
errorType and the message (never the key). 429 and 5xx are retried by the shared HTTP layer,
which waits `Retry-After` (Benchmark always sends it); a `Retry-After` longer than
`max_retry_after_seconds` (the monthly quota answers with the seconds until the billing period
resets) fails at once with a clear error instead of sleeping for days.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from dlt.sources.helpers.rest_client.auth import APIKeyAuth

from pipelines.benchmark.config import BenchmarkConfig
from pipelines.benchmark.settings import (
    API_KEY_SETTING,
    CAMPAIGNS_PATH,
    PROVIDER,
    REPORTED_STATUSES,
)
from pipelines.common.errors import ProviderAuthError, ProviderError
from pipelines.common.http import HttpClient, endpoint_of
from pipelines.common.paging import PageSizePaginator
from pipelines.common.readahead import read_ahead
from pipelines.common.sessions import parse_once

logger = logging.getLogger(__name__)


class BenchmarkHttp(HttpClient):
    """The shared HTTP client, with Benchmark's error envelope in its errors."""

    def error(self, method: str, url: str, response: requests.Response) -> ProviderError:
        """The error naming the documented path (below the base URL), errorType and message."""
        path = endpoint_of(url).removeprefix(urlsplit(self.base_url).path) or "/"
        error_type, message = _envelope(response)
        what = f"{method} {path} returned HTTP {response.status_code} {error_type}: {message}"
        status = response.status_code
        if status == 401:
            return ProviderAuthError(PROVIDER, f"{what}; check {API_KEY_SETTING}", status=status)
        if status == 403:
            return ProviderAuthError(
                PROVIDER,
                f"{what}. Give the API key that scope (Settings > API Keys), or leave the "
                "endpoints that need it out (sources.benchmark.reports = false for reports:read)",
                status=status,
            )
        if status == 429:
            after = response.headers.get("Retry-After", "")
            limit = self.policy.max_retry_after
            if after.isdigit() and limit is not None and int(after) > limit:
                hint = (
                    f"Retry-After {after} s is longer than max_retry_after_seconds={limit:g}; "
                    "run again later"
                )
            else:
                hint = "still limited after retries that waited Retry-After"
            return ProviderError(PROVIDER, f"{what} ({hint})", status=status)
        return ProviderError(PROVIDER, what, status=status)


class BenchmarkClient:
    """One Benchmark Email account (API key) on its per-account ``base_url``."""

    def __init__(self, config: BenchmarkConfig) -> None:
        self.http = BenchmarkHttp(
            PROVIDER,
            config.base_url,
            auth=APIKeyAuth(name="X-API-Key", api_key=config.api_key),
            secrets=[config.api_key],
            policy=config.retry_policy(max_retry_after=config.max_retry_after_seconds),
        )
        self.page_size = config.page_size
        self.concurrency = config.concurrency
        self._campaigns: list[dict[str, Any]] | None = None

    def get(self, path: str, **params: Any) -> tuple[Any, datetime]:
        """GET a JSON endpoint; the body and the server's clock (its `Date` header)."""
        response = self.http.request("GET", path, params=params, expected=(200,))
        return self.http.parse_json("GET", path, response), server_time(response)

    def pages(
        self,
        path: str,
        size: int,
        *,
        method: str = "GET",
        records_key: str = "records",
        total_key: str = "total",
        **params: Any,
    ) -> Iterator[list[Any]]:
        """Every record of a paged listing (`page`/`size`, 1-based; `{"total", "records"}`, or
        the contact search's `{"totalRecords", "contacts"}` with the paging in its JSON body),
        page by page until an empty page or the total (pipelines.common.paging: a page-size cap
        loses nothing, a listing ending below its total fails). With `concurrency` > 1 the pages
        after the first are asked ahead, up to that many at once, and handed over in order
        (pipelines.common.readahead: the same pages and errors as one by one)."""
        paginator = PageSizePaginator(
            PROVIDER,
            f"{method} {path}",
            size,
            records_key=records_key,
            total_key=total_key,
            in_body=method == "POST",
        )
        if self.concurrency > 1:
            return read_ahead(
                paginator,
                lambda number, size: self._page(method, path, params, number, size),
                lambda response: _records(
                    self.http.parse_json(method, path, response), records_key
                ),
                self.concurrency,
            )
        if method == "POST":
            return self.http.pages(
                path, paginator, data_selector=records_key, method="POST", json=params
            )
        return self.http.pages(path, paginator, data_selector=records_key, params=params)

    def _page(
        self, method: str, path: str, params: dict[str, Any], number: int, size: int
    ) -> requests.Response:
        """One page of a listing (`page`, `size` in the query, or in the JSON body of a POST)."""
        paging = {**params, "page": number, "size": size}
        if method == "POST":
            response = self.http.request(method, path, json=paging, expected=(200,))
        else:
            response = self.http.request(method, path, params=paging, expected=(200,))
        parse_once(response)  # in the request's thread; the paginator reads the same body
        return response

    def campaigns(self) -> list[dict[str, Any]]:
        """Every campaign record, listed once per run (oldest first: new ones append)."""
        if self._campaigns is None:
            records: list[dict[str, Any]] = []
            for page in self.pages(CAMPAIGNS_PATH, self.page_size, sort="createdAt:asc"):
                records.extend(page)
            self._campaigns = records
        return self._campaigns

    def reported(self) -> list[str]:
        """Ids of the campaigns whose reports are snapshotted (sent, or still going out)."""
        return [str(c["_id"]) for c in self.campaigns() if c.get("status") in REPORTED_STATUSES]


def _records(body: Any, records_key: str) -> list[Any]:
    """The records of a page; a body of another shape gives none, and the paginator's check of
    the page (`PageSizePaginator.total_of`) names the shape in its error."""
    records = body.get(records_key) if isinstance(body, dict) else None
    return records if isinstance(records, list) else []


def _envelope(response: requests.Response) -> tuple[str, str]:
    """`errorType` and `message` of Benchmark's error envelope (best effort)."""
    try:
        errors = response.json().get("errors")
        first = errors[0]
        return str(first.get("errorType", "Error")), str(first.get("message", ""))[:300]
    except (ValueError, AttributeError, IndexError, TypeError, KeyError):
        return "Error", response.text[:300].strip()


def server_time(response: requests.Response) -> datetime:
    """The provider's clock from the `Date` header (the local clock when it is missing)."""
    header = response.headers.get("Date")
    if header:
        try:
            return parsedate_to_datetime(header).astimezone(UTC)
        except (TypeError, ValueError):
            logger.warning("%s: unreadable Date header %r", PROVIDER, header)
    return datetime.now(UTC)
