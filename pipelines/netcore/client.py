"""Netcore HTTP protocol: API-key auth, event logs (scrollid or offset paging), summary stats and
the Download Logs job.

PROVIDERS.md section 3. Paths are `/<api_version>/events`, `/stats`, `/logs/download` on the
regional host; `v5.1` clients send `api_key: <key>`, `v6` clients `Authorization: Bearer <key>`
(`x-api-key` is accepted too): dlt's `APIKeyAuth` and `BearerTokenAuth`. The listings are read by
dlt's `RESTClient` with the paginators below (pipelines/common/paging.py: a capped page loses
nothing, a listing short of its `totalRecords` fails). JSON integers are parsed exactly (never
through a float): a `trid` above 2^53 keeps its digits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, cast

import requests
from dlt.sources.helpers.rest_client.auth import APIKeyAuth, BearerTokenAuth
from requests import Request, Response
from requests.auth import AuthBase

from pipelines.common.downloads import Download, download_with_retries
from pipelines.common.errors import ProviderError
from pipelines.common.http import HttpClient, endpoint_of
from pipelines.common.paging import CompletePaginator, PageRequest
from pipelines.netcore.config import NetcoreConfig
from pipelines.netcore.settings import MAX_OFFSET, PROVIDER, STATS_PAGE_SIZE

logger = logging.getLogger(__name__)


def key_auth(style: str, api_key: str) -> AuthBase:
    """dlt's auth class for an auth header ``style`` (`api_key`, `bearer`, `x-api-key`)."""
    if style == "bearer":
        return BearerTokenAuth(token=api_key)
    if style == "x-api-key":
        return APIKeyAuth(name="Authorization", api_key=f"x-api-key {api_key}")
    return APIKeyAuth(name="api_key", api_key=api_key)


class NetcorePaginator(CompletePaginator):
    """A Netcore listing (`{"status", "data", "totalRecords"}`): `offset` is the records received
    (a row offset, 0–1000) and `limit` the page size; ``page_numbers``: `offset` is the 1-based
    page number instead (`/stats`, which reports no total)."""

    def __init__(self, endpoint: str, size: int, *, page_numbers: bool = False, **kw: Any) -> None:
        super().__init__(PROVIDER, endpoint, size, **kw)
        self.page_numbers = page_numbers
        self._parsed: tuple[Response, dict[str, Any]] | None = None

    def body(self, response: Response) -> dict[str, Any]:
        """The page's body, checked (parsed once per response)."""
        if self._parsed and self._parsed[0] is response:
            return self._parsed[1]
        body = response.json()
        status = body.get("status") if isinstance(body, dict) else None
        if isinstance(body, dict) and status not in (None, "success"):
            raise ProviderError(PROVIDER, f"{self.endpoint} returned status {status!r}")
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ProviderError(PROVIDER, f"{self.endpoint} returned no data list")
        self._parsed = (response, body)
        return body

    def total_of(self, response: Response, data: list[Any]) -> int | None:
        total = self.body(response).get("totalRecords")
        known = isinstance(total, int) and not isinstance(total, bool)
        return cast(int, total) if known and not self.page_numbers else None

    def place(self, request: Request, page: PageRequest) -> None:
        params = cast(dict[str, Any], request.params)
        if self.page_numbers:
            params.update(offset=page.number, limit=page.size)
            return
        if page.offset > MAX_OFFSET and self.has_next_page:
            raise ProviderError(
                PROVIDER,
                f"{self.endpoint}{self.detail}: more than {page.offset} messages on one day; "
                f"offset paging cannot go past offset {MAX_OFFSET}: set sources.netcore.paging "
                "= 'scrollid'",
            )
        params.update(offset=page.offset, limit=page.size)


class NetcoreScrollPaginator(NetcorePaginator):
    """`scrollid` paging: the first page starts a scroll and the next ones follow it. When the
    page size shrinks (a capped page) a new scroll starts at the records received (`offset`,
    up to 1000), so no record is skipped whichever size the server advanced its scroll by."""

    def restart(self) -> None:
        super().restart()
        self.scroll_id: str | None = None
        self.scroll_size: int | None = None

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        asked = self.size
        super().update_state(response, data)
        self.scroll_id = self.body(response).get("scrollid") or None
        self.scroll_size = asked
        if self.has_next_page and self.scroll_id is None and self.received > MAX_OFFSET:
            self.advance(0, None)  # the scroll ended and no offset reaches further: the end

    @property
    def _restart(self) -> bool:
        return self.scroll_id is None or self.size != self.scroll_size

    def place(self, request: Request, page: PageRequest) -> None:
        params = cast(dict[str, Any], request.params)
        for name in ("offset", "scrollid"):
            params.pop(name, None)
        if self._restart and page.offset <= MAX_OFFSET:
            if page.offset:
                params["offset"] = page.offset
        else:
            params["scrollid"] = self.scroll_id
        params["limit"] = page.size


class NetcoreClient:
    """One Netcore account (API key) with the API version and auth style of ``config``."""

    def __init__(self, config: NetcoreConfig) -> None:
        self.api_version = config.api_version
        self.auth_style = config.style
        self.http = HttpClient(
            PROVIDER,
            config.host,
            auth=key_auth(config.style, config.api_key),
            secrets=[config.api_key],
            auth_hint="check sources.netcore.api_key (SOURCES__NETCORE__API_KEY or "
            f".dlt/secrets.toml) and that api_version {config.api_version!r} / auth style "
            f"{config.style!r} match the key",
            policy=config.retry_policy(),
        )

    def path(self, name: str) -> str:
        return f"/{self.api_version}/{name}"

    def _json(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, self.path(name), **kwargs)
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
        response = self.http.request(
            "GET",
            self.path("stats"),
            params={"startdate": day, "enddate": day, "limit": 1},
            expected=(200, 400),  # only the Date header matters
        )
        try:
            return parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            return datetime.now(UTC).replace(microsecond=0)

    # -- listings -------------------------------------------------------------------------------

    def event_pages(
        self, params: dict[str, Any], size: int, paging: str, detail: str
    ) -> Iterator[list[Any]]:
        """Every record of `GET /events` for ``params``, page by page to the end, by `offset`
        or by `scrollid` (``paging``). ``detail`` names the request's days in messages."""
        endpoint = f"GET {self.path('events')}"
        kind = NetcoreScrollPaginator if paging == "scrollid" else NetcorePaginator
        paginator = kind(endpoint, size, detail=detail)
        return self.http.pages(self.path("events"), paginator, data_selector="data", params=params)

    def stats_pages(self, params: dict[str, Any], max_entries: int) -> Iterator[list[Any]]:
        """Every entry of `GET /stats` for ``params``, page by page until an empty page
        (`offset` is the 1-based page number, `limit` the page size, at most 100; no total is
        reported). ``max_entries`` (the days asked) bounds the paging."""
        paginator = NetcorePaginator(
            f"GET {self.path('stats')}",
            STATS_PAGE_SIZE,
            page_numbers=True,
            max_pages=max_entries + 2,
        )
        return self.http.pages(self.path("stats"), paginator, data_selector="data", params=params)

    # -- Download Logs --------------------------------------------------------------------------

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
