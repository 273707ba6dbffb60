"""Benchmark Email HTTP protocol: `X-API-Key` auth, page/size paging, the error envelope.

PROVIDERS.md section 4. Errors are `{"errors": [{"errorType", "message"}]}` and are raised with
the endpoint, the status, the errorType and the message (never the key). 429 and 5xx are retried
by the shared HttpClient, which waits `Retry-After` (Benchmark always sends it); a `Retry-After`
longer than `max_retry_after_seconds` (the monthly quota answers with the seconds until the
billing period resets) fails at once with a clear error instead of sleeping for days.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import requests
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util import Retry

from pipelines.benchmark.settings import API_KEY_SETTING, PROVIDER
from pipelines.common.errors import ProviderAuthError, ProviderError, shape_of
from pipelines.common.http import HttpClient
from pipelines.common.paging import Page, Pager, PageRequest

logger = logging.getLogger(__name__)

ANSWERED = (200, 400, 401, 403, 404, 429)  # statuses read here rather than by HttpClient


class _CappedRetry(Retry):
    """urllib3 Retry that gives up on a `Retry-After` above `max_retry_after` seconds."""

    max_retry_after: float = 300.0

    def new(self, **kw: Any) -> Self:
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if response is not None:
            after = self.get_retry_after(response)
            if after is not None and after > self.max_retry_after:
                # raise_on_status is off: urllib3 hands the 429 back to the client at once
                reason = ResponseError(f"Retry-After {after:.0f} s")
                raise MaxRetryError(_pool, url or "", reason)  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _cap_retry_after(http: HttpClient, seconds: float) -> None:
    """Swap the session's Retry for a `_CappedRetry` with the same settings."""
    for prefix in ("http://", "https://"):  # HttpClient mounts one adapter for both
        adapter = http.session.get_adapter(prefix)
        retry: Retry = adapter.max_retries  # type: ignore[attr-defined]
        names = [n for n in inspect.signature(Retry.__init__).parameters if n != "self"]
        capped = _CappedRetry(**{n: getattr(retry, n) for n in names if hasattr(retry, n)})
        capped.max_retry_after = seconds
        adapter.max_retries = capped  # type: ignore[attr-defined]


class BenchmarkClient:
    """One Benchmark Email account (API key) on its per-account ``base_url``."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        max_retry_after_seconds: float = 300.0,
        backoff_max: float = 60.0,
    ) -> None:
        self.max_retry_after_seconds = max_retry_after_seconds
        self.http = HttpClient(
            PROVIDER,
            base_url,
            auth=lambda headers: headers.__setitem__("X-API-Key", api_key),
            secrets=[api_key],
            timeout=timeout,
            backoff_max=backoff_max,
        )
        _cap_retry_after(self.http, max_retry_after_seconds)
        self.pager = Pager(PROVIDER)

    def get(self, path: str, **params: Any) -> tuple[Any, datetime]:
        """GET a JSON endpoint; the body and the server's clock (its `Date` header)."""
        response = self.http.request("GET", path, params=params, expected=ANSWERED)
        if response.status_code != 200:
            raise self._error(response, path)
        return self.http.parse_json("GET", path, response), server_time(response)

    def post(self, path: str, body: dict[str, Any]) -> tuple[Any, datetime]:
        """POST a JSON body to a read endpoint (`/api/contact/search`); the body and the clock."""
        response = self.http.request("POST", path, json=body, expected=ANSWERED)
        if response.status_code != 200:
            raise self._error(response, path, "POST")
        return self.http.parse_json("POST", path, response), server_time(response)

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
        loses nothing, a listing ending below its total fails)."""
        endpoint = f"{method} {path}"

        def fetch(request: PageRequest) -> Page:
            paging = {"page": request.number, "size": request.size}
            if method == "POST":
                body, _ = self.post(path, {**params, **paging})
            else:
                body, _ = self.get(path, **params, **paging)
            records = body.get(records_key) if isinstance(body, dict) else None
            total = body.get(total_key) if isinstance(body, dict) else None
            if (
                not isinstance(records, list)
                or isinstance(total, bool)
                or not isinstance(total, int | float)
            ):
                raise ProviderError(
                    PROVIDER,
                    f"{endpoint} page {request.number}: expected {{'{total_key}', "
                    f"'{records_key}'}}, got {shape_of(body)}",
                )
            return Page(records, int(total))

        return self.pager.pages(endpoint, fetch, size)

    def _error(self, response: requests.Response, path: str, method: str = "GET") -> ProviderError:
        """The error naming the documented path (below the base URL), errorType and message."""
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
            if after.isdigit() and int(after) > self.max_retry_after_seconds:
                hint = (
                    f"Retry-After {after} s is longer than max_retry_after_seconds="
                    f"{self.max_retry_after_seconds:g}; run again later"
                )
            else:
                hint = "still limited after retries that waited Retry-After"
            return ProviderError(PROVIDER, f"{what} ({hint})", status=status)
        return ProviderError(PROVIDER, what, status=status)


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
