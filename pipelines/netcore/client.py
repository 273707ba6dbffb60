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
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from pipelines.common.errors import ProviderAuthError, ProviderError
from pipelines.common.files import Download, download_with_retries
from pipelines.common.http import HttpClient, endpoint_of
from pipelines.netcore.settings import PROVIDER

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

    def stats(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """`GET /stats`: one page of per-period entries `{"date", "stats": {...}}`."""
        data = self._json("GET", "stats", params=params).get("data")
        if not isinstance(data, list):
            raise ProviderError(PROVIDER, f"GET {self.path('stats')} returned no data list")
        return data

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
