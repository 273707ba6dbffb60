"""The one HTTP layer every provider uses.

A `requests.Session` with urllib3's `Retry` (well kept, honours `Retry-After`, exponential backoff
with a cap) for 429 and 5xx, timeouts on every call, and errors that name the provider and endpoint
without leaking secrets, signed query strings or tokens. Providers describe their protocol (paths,
auth) and never re-implement retries. See ../shared/api/PROVIDERS.md section 5.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from pipelines.common.errors import ProviderAuthError, ProviderError, redact

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def endpoint_of(url: str) -> str:
    """The path of a URL without host, query or fragment: safe to show in an error."""
    return urlsplit(url).path or "/"


def error_detail(response: requests.Response, limit: int = 300) -> str:
    """Best-effort human text of an error body (problem JSON, Maxemail `msg`, Benchmark `errors`)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:limit].strip()
    if isinstance(body, Mapping):
        for key in ("detail", "msg", "message", "title", "error_message"):
            if isinstance(body.get(key), str):
                return body[key][:limit]
        errors = body.get("errors") or body.get("error")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            return str(errors[0].get("message", errors[0]))[:limit]
    return json.dumps(body)[:limit]


class HttpClient:
    """HTTP session for one provider.

    ``auth`` is a callable that adds credentials to a request's headers; ``on_unauthorized`` (if
    given) is called once after a 401 so the provider can refresh a token, and the call is
    repeated. ``secrets`` are scrubbed from every error message.
    """

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        auth: Callable[[dict[str, str]], None] | None = None,
        on_unauthorized: Callable[[], None] | None = None,
        secrets: list[str | None] | None = None,
        timeout: float = 60.0,
        max_retries: int = 6,
        backoff_factor: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.on_unauthorized = on_unauthorized
        self.secrets = secrets or []
        self.timeout = timeout
        self.session = requests.Session()
        # A refused connection on loopback (the sandbox is not running) does not heal by waiting.
        loopback = urlsplit(self.base_url).hostname in LOOPBACK_HOSTS
        retry = Retry(
            total=max_retries,
            connect=0 if loopback else max_retries,
            read=2,
            status=max_retries,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            status_forcelist=RETRY_STATUSES,
            # POST too: every provider answers 429/5xx before accepting work.
            allowed_methods=None,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        authenticated: bool = True,
        stream: bool = False,
        expected: tuple[int, ...] = (200, 201, 202),
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request; return the response or raise `ProviderError` naming the endpoint."""
        url = self.url(path)
        extra_headers: dict[str, str] = kwargs.pop("headers", None) or {}
        for attempt in (1, 2):
            headers: dict[str, str] = {"Accept": "application/json", **extra_headers}
            if authenticated and self.auth:
                self.auth(headers)
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=self.timeout, stream=stream, **kwargs
                )
            except requests.ConnectionError as exc:
                host = urlsplit(url).netloc
                hint = ""
                if urlsplit(url).hostname in LOOPBACK_HOSTS:
                    hint = "; is the sandbox running? start it with `make sandbox`"
                raise ProviderError(
                    self.provider,
                    f"{method} {endpoint_of(url)} failed: cannot connect to {host} "
                    f"({type(exc).__name__}){hint}",
                ) from None
            except requests.RequestException as exc:
                raise ProviderError(
                    self.provider,
                    f"{method} {endpoint_of(url)} failed: {redact(type(exc).__name__, self.secrets)}"
                    f" ({redact(str(exc), self.secrets).split('?')[0][:200]})",
                ) from None
            if response.status_code in expected:
                return response
            if (
                response.status_code == 401
                and authenticated
                and self.on_unauthorized is not None
                and attempt == 1
            ):
                logger.info(
                    "%s: %s returned 401, refreshing credentials", self.provider, endpoint_of(url)
                )
                self.on_unauthorized()
                continue
            raise self.error(method, url, response)
        raise AssertionError("unreachable")

    def error(self, method: str, url: str, response: requests.Response) -> ProviderError:
        detail = redact(error_detail(response), self.secrets)
        message = f"{method} {endpoint_of(url)} returned HTTP {response.status_code}: {detail}"
        if response.status_code in (401, 403):
            return ProviderAuthError(self.provider, message, status=response.status_code)
        if response.status_code in RETRY_STATUSES:
            message += " (still failing after retries with backoff)"
        return ProviderError(self.provider, message, status=response.status_code)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ProviderError(
                self.provider, f"{method} {endpoint_of(self.url(path))} returned a non-JSON body"
            ) from None
