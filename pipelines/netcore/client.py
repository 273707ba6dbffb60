"""Netcore HTTP protocol: API-key auth, event logs (scrollid or offset paging), summary stats and
the Download Logs job.

PROVIDERS.md section 3. Paths are `/<api_version>/events`, `/stats`, `/logs/download` on the
regional host; `v5.1` clients send `api_key: <key>`, `v6` clients `Authorization: Bearer <key>`
(`x-api-key` is accepted too). JSON bodies are parsed by the standard library, whose integers are
exact: a `trid` above 2^53 never passes through a float.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from pipelines.common.errors import ProviderAuthError, ProviderError
from pipelines.common.files import Download, download_with_retries
from pipelines.common.http import HttpClient, endpoint_of
from pipelines.common.paging import Page, Pager, PageRequest
from pipelines.netcore.settings import MAX_OFFSET, PROVIDER, STATS_PAGE_SIZE

logger = logging.getLogger(__name__)


class NetcoreClient:
    """One Netcore account (API key) on ``base_url`` with API version ``api_version``."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        api_version: str = "v5.1",
        auth_style: str = "api_key",
        timeout: float = 120.0,
        backoff_max: float = 60.0,
    ) -> None:
        self.api_version = api_version
        self.auth_style = auth_style
        self._api_key = api_key
        self.http = HttpClient(
            PROVIDER,
            base_url,
            auth=self._add_key,
            secrets=[api_key],
            timeout=timeout,
            backoff_max=backoff_max,
        )
        self.pager = Pager(PROVIDER)

    def _add_key(self, headers: dict[str, str]) -> None:
        if self.auth_style == "api_key":
            headers["api_key"] = self._api_key
        elif self.auth_style == "bearer":
            headers["Authorization"] = f"Bearer {self._api_key}"
        else:
            headers["Authorization"] = f"x-api-key {self._api_key}"

    def path(self, name: str) -> str:
        return f"/{self.api_version}/{name}"

    def _request(self, method: str, name: str, **kwargs: Any) -> requests.Response:
        try:
            return self.http.request(method, self.path(name), **kwargs)
        except ProviderAuthError as exc:
            raise ProviderAuthError(
                PROVIDER,
                f"authentication failed ({str(exc).removeprefix(PROVIDER + ': ')}); check "
                "sources.netcore.api_key (SOURCES__NETCORE__API_KEY or .dlt/secrets.toml) and "
                f"that api_version {self.api_version!r} / auth style {self.auth_style!r} match the key",
                status=exc.status,
            ) from None

    def _json(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        response = self._request(method, name, **kwargs)
        what = f"{method} {endpoint_of(response.url or self.http.url(self.path(name)))}"
        try:
            body = json.loads(response.content)  # ints stay exact (never a float)
        except ValueError:
            raise ProviderError(PROVIDER, f"{what} returned a non-JSON body") from None
        if not isinstance(body, dict):
            raise ProviderError(PROVIDER, f"{what} returned {type(body).__name__}, not an object")
        if body.get("status") not in (None, "success"):
            raise ProviderError(PROVIDER, f"{what} returned status {body.get('status')!r}")
        return body

    # -- clock ----------------------------------------------------------------------------------

    def server_now(self) -> datetime:
        """The provider's clock (HTTP `Date` of a one-day stats call, which also checks the key).

        Windows end at the provider's "today" so that a skewed loader clock neither asks for
        days that do not exist yet nor moves state past them. Falls back to the local clock.
        """
        day = datetime.now(UTC).date().isoformat()
        response = self._request(
            "GET",
            "stats",
            params={"startdate": day, "enddate": day, "limit": 1},
            expected=(200, 400),  # only the Date header matters
        )
        try:
            return parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            return datetime.now(UTC).replace(microsecond=0)

    # -- endpoints ------------------------------------------------------------------------------

    def events(self, params: dict[str, Any]) -> dict[str, Any]:
        """`GET /events`: one page (`data`, `totalRecords`, `scrollid`)."""
        body = self._json("GET", "events", params=params)
        if not isinstance(body.get("data"), list):
            raise ProviderError(PROVIDER, f"GET {self.path('events')} returned no data list")
        return body

    def event_pages(
        self, params: dict[str, Any], size: int, paging: str, detail: str
    ) -> Iterator[list[Any]]:
        """Every record of `GET /events` for ``params``, page by page to the end
        (pipelines.common.paging). ``paging`` `offset`: each page asks `offset` = the records
        received (a row offset, 0–1000); `scrollid`: the first page starts a scroll and the
        next ones follow it, and when the pager shrinks the page size (a capped page) a new
        scroll starts at that offset, so no record is skipped whichever size the server
        advanced its scroll by. ``detail`` names the request's days in messages."""
        endpoint = f"GET {self.path('events')}"
        scroll: dict[str, Any] = {"id": None, "size": None}

        def page(body: dict[str, Any]) -> Page:
            total = body.get("totalRecords")
            known = isinstance(total, int) and not isinstance(total, bool)
            return Page(body["data"], total if known else None)

        def by_offset(request: PageRequest) -> Page:
            if request.offset > MAX_OFFSET:
                raise ProviderError(
                    PROVIDER,
                    f"{endpoint}{detail}: more than {request.offset} messages on one day; offset "
                    f"paging cannot go past offset {MAX_OFFSET}: set sources.netcore.paging = "
                    "'scrollid'",
                )
            return page(self.events({**params, "offset": request.offset, "limit": request.size}))

        def by_scroll(request: PageRequest) -> Page:
            restart = scroll["id"] is None or request.size != scroll["size"]
            if restart and request.offset > MAX_OFFSET:
                if scroll["id"] is None:  # the scroll ended and no offset reaches further
                    return Page([])
                restart = False
            if restart:
                offset = {"offset": request.offset} if request.offset else {}
                body = self.events({**params, **offset, "limit": request.size})
            else:
                body = self.events({**params, "limit": request.size, "scrollid": scroll["id"]})
            scroll.update(id=body.get("scrollid") or None, size=request.size)
            return page(body)

        fetch = by_offset if paging == "offset" else by_scroll
        return self.pager.pages(endpoint, fetch, size, detail=detail)

    def stats(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """`GET /stats`: one page of per-period entries `{"date", "stats": {...}}`."""
        data = self._json("GET", "stats", params=params).get("data")
        if not isinstance(data, list):
            raise ProviderError(PROVIDER, f"GET {self.path('stats')} returned no data list")
        return data

    def stats_pages(self, params: dict[str, Any], max_entries: int) -> Iterator[list[Any]]:
        """Every entry of `GET /stats` for ``params``, page by page until an empty page
        (`offset` is the 1-based page number, `limit` the page size, at most 100; no total is
        reported). ``max_entries`` (the days asked) bounds the paging."""

        def fetch(request: PageRequest) -> Page:
            return Page(self.stats({**params, "limit": request.size, "offset": request.number}))

        return self.pager.pages(
            f"GET {self.path('stats')}", fetch, STATS_PAGE_SIZE, max_pages=max_entries + 2
        )

    def request_download(self, body: dict[str, Any]) -> str:
        """`POST /logs/download` (ASSUMPTION, PROVIDERS.md 3.5); returns the download id."""
        data = self._json("POST", "logs/download", json=body).get("data") or {}
        download_id = data.get("download_id") if isinstance(data, dict) else None
        if not download_id:
            raise ProviderError(
                PROVIDER, f"POST {self.path('logs/download')} returned no download_id"
            )
        return str(download_id)

    def download_status(self, download_id: str) -> dict[str, Any]:
        """`GET /logs/download/{id}`: `{"status": "processing" | "completed", "url"}`."""
        data = self._json("GET", f"logs/download/{download_id}").get("data")
        if not isinstance(data, dict):
            raise ProviderError(
                PROVIDER, f"GET {self.path('logs/download')}/{download_id} returned no data"
            )
        return data

    def download_file(self, url: str, what: str) -> Download:
        """Download a completed log file to a temporary file (complete or retried). The key is
        sent only to the API's own host; a signed URL elsewhere gets no credentials."""
        same_host = url.startswith(self.http.base_url + "/")

        def fetch() -> requests.Response:
            return self.http.request(
                "GET",
                url,
                authenticated=same_host,
                stream=True,
                headers={"Accept": "*/*"},
                expected=(200,),
            )

        return download_with_retries(fetch, provider=PROVIDER, what=what)
