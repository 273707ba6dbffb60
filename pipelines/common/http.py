"""The one HTTP layer every provider uses.

A `requests.Session` with urllib3's `Retry` (well kept, honours `Retry-After`, exponential backoff
with a cap) for 429 and 5xx, timeouts on every call, and errors that name the provider and endpoint
without leaking secrets, signed query strings or tokens. Providers describe their protocol (paths,
auth) and never re-implement retries. See ../shared/api/PROVIDERS.md section 5.

A host that cannot be reached fails within seconds (a refused connection, an unknown host name, an
unreachable network: `CONNECT_RETRIES` quick retries; no answer within `connect_timeout`), while
429 and 5xx keep their long, Retry-After-honouring retries: waiting helps a busy API, not a wrong
`base_url`. Every client installs the output scrubbing of `pipelines.common.privacy` and registers
its secrets and the credentials its auth hook sends.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.util import Retry

from pipelines.common import privacy
from pipelines.common.errors import ProviderAuthError, ProviderError, redact

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
# Retries of a connection that could not be opened; with the backoff they take about 2 s.
CONNECT_RETRIES = 2
CONNECT_TIMEOUT = 5.0
# Retries of a request whose connection broke before an answer (a reset, a dropped keep-alive).
READ_RETRIES = 2
# Request headers whose values are credentials (registered for scrubbing when an auth hook or a
# caller sets them): Authorization, X-API-Key, Netcore's api_key, APSIS's x-apsis-auth, ...
CREDENTIAL_HEADER = re.compile(r"(?i)auth|key|token|secret|password")


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
        connect_timeout: float = CONNECT_TIMEOUT,
        max_retries: int = 6,
        backoff_factor: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        privacy.install()
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.on_unauthorized = on_unauthorized
        self.secrets = secrets or []
        for secret in self.secrets:
            privacy.register_secret(secret)
        # (connect, read): a host that does not answer the connection fails fast
        self.timeout = (min(connect_timeout, timeout), timeout)
        self.session = requests.Session()
        # A refused connection on loopback (the sandbox is not running) does not heal by waiting.
        loopback = urlsplit(self.base_url).hostname in LOOPBACK_HOSTS
        self.connect_retries = 0 if loopback else min(CONNECT_RETRIES, max_retries)
        retry = Retry(
            total=max_retries,
            connect=self.connect_retries,
            read=READ_RETRIES,
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
            register_credentials(headers)
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=self.timeout, stream=stream, **kwargs
                )
            except requests.ConnectionError as exc:
                raise ProviderError(
                    self.provider,
                    f"{method} {endpoint_of(url)} failed: "
                    f"{self.connection_problem(exc, url, time.monotonic() - started)}",
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

    def connection_problem(self, exc: requests.ConnectionError, url: str, seconds: float) -> str:
        """What went wrong with the connection, and what to do, in one sentence."""
        host = urlsplit(url).netloc
        cause = _cause(exc)
        if isinstance(cause, ProtocolError | ConnectionResetError):
            return (
                f"the connection to {host} broke before an answer (reset by the server or a "
                f"proxy), {1 + READ_RETRIES} attempts; run again later"
            )
        if isinstance(cause, NameResolutionError):
            what = f"cannot connect to {host} (the host name does not resolve)"
        elif isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError):
            what = f"cannot connect to {host} (no answer within {self.timeout[0]:g} s)"
        elif isinstance(cause, NewConnectionError) and "refused" in str(cause).lower():
            what = f"cannot connect to {host} (connection refused)"
        else:
            what = f"cannot connect to {host} ({type(cause).__name__})"
        if urlsplit(url).hostname in LOOPBACK_HOSTS:
            return f"{what}; is the sandbox running? start it with `make sandbox`"
        return (
            f"{what}, {1 + self.connect_retries} attempt(s) in {seconds:.0f} s; check the "
            "provider's base_url (or region) setting and the network, proxy or firewall"
        )

    def error(self, method: str, url: str, response: requests.Response) -> ProviderError:
        detail = redact(error_detail(response), self.secrets)
        message = f"{method} {endpoint_of(url)} returned HTTP {response.status_code}: {detail}"
        if response.status_code in (401, 403):
            return ProviderAuthError(self.provider, message, status=response.status_code)
        if response.status_code in RETRY_STATUSES:
            message += " (still failing after retries with backoff)"
        return ProviderError(self.provider, message, status=response.status_code)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.parse_json(method, path, self.request(method, path, **kwargs))

    def parse_json(
        self, method: str, path: str, response: requests.Response, *, what: str | None = None
    ) -> Any:
        """The JSON body of ``response``, or an error naming the endpoint (or ``what``) and what
        answered instead (an HTML page from a proxy, a captive portal or a maintenance window)."""
        try:
            return response.json()
        except ValueError:
            kind = (response.headers.get("Content-Type") or "no Content-Type").split(";")[0]
            start = " ".join(response.text[:60].split())
            endpoint = f"{method} {endpoint_of(self.url(path))}"
            raise ProviderError(
                self.provider,
                f"{what or endpoint} answered HTTP {response.status_code} "
                f"with {kind}, not JSON (it begins {start!r}): something other than the API "
                "answered (a proxy, captive portal or maintenance page); check the base_url "
                "(or region) setting and run again later",
            ) from None


def _cause(exc: requests.ConnectionError) -> BaseException:
    """The urllib3 error under a requests ConnectionError (MaxRetryError's reason)."""
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, MaxRetryError) and inner.reason is not None:
        return inner.reason
    return inner if isinstance(inner, BaseException) else exc


def register_credentials(headers: Mapping[str, str]) -> None:
    """Register the credential values among request headers (and a scheme's token) for
    scrubbing, so that no output can repeat them."""
    for name, value in headers.items():
        if CREDENTIAL_HEADER.search(name):
            privacy.register_secret(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in ("bearer", "basic", "token"):
                privacy.register_secret(token)
