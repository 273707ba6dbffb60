"""The one HTTP layer every provider uses, assembled from dlt's pieces (PROVIDERS.md section 5;
DECISIONLOG.md, "dlt's pieces in the loader").

* **Retries** (pipelines/common/retries.py): dlt's retrying session waits out 429 and 5xx
  (`Retry-After` honoured), urllib3 below it retries the transport on budgets of its own, so a
  host that cannot be reached fails within seconds while a busy API is waited for.
* **Requests and paging**: dlt's `RESTClient` sends every request (base URL, default headers, a
  dlt auth class per request: `APIKeyAuth`, `BearerTokenAuth`, `HttpBasicAuth`,
  `OAuth2ClientCredentials`) and pages the paged JSON endpoints with the paginators of
  pipelines/common/paging.py.
* **Errors** name the provider and the endpoint (its path, never host or query) and what to check,
  and pass through pipelines/common/privacy.py, which every client installs; each client
  registers its secrets. Providers describe their protocol; they never re-implement retries.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from dlt.common import jsonpath
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests.auth import AuthBase
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)

from pipelines.common import privacy
from pipelines.common.errors import ProviderAuthError, ProviderError, redact
from pipelines.common.retries import READ_RETRIES, RETRY_STATUSES, RetryPolicy, retrying_session
from pipelines.common.sessions import environment_once_per_host, parse_once

logger = logging.getLogger(__name__)

# Request headers whose values are credentials (registered for scrubbing when a caller sets them):
# Authorization, X-API-Key, Netcore's api_key, APSIS's x-apsis-auth, ...
CREDENTIAL_HEADER = re.compile(r"(?i)auth|key|token|secret|password")


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


class _StatusError(requests.HTTPError):
    """A paged request answered a status other than 200 (dlt's session retries it by the
    response it carries; the provider's error is made from it afterwards)."""


class HttpClient:
    """HTTP for one provider on ``base_url``.

    ``auth`` is a requests/dlt auth class applied to every authenticated request;
    ``on_unauthorized`` (if given) is called once after a 401 so that the provider can refresh a
    token, and the call is repeated. ``secrets`` are scrubbed from every output. ``auth_hint``
    says what to check after a 401/403 (`check sources.netcore.api_key ...`).
    """

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        auth: AuthBase | None = None,
        on_unauthorized: Callable[[], None] | None = None,
        secrets: Iterable[str | None] = (),
        auth_hint: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        privacy.install()
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.on_unauthorized = on_unauthorized
        self.secrets = [s for s in secrets if s]
        for secret in self.secrets:
            privacy.register_secret(secret)
        self.auth_hint = auth_hint
        self.policy = policy or RetryPolicy()
        self.session = retrying_session(self.policy)
        environment_once_per_host(self.session)
        self.rest = RESTClient(
            self.base_url, headers={"Accept": "application/json"}, session=self.session
        )

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        authenticated: bool = True,
        expected: tuple[int, ...] = (200, 201, 202),
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request; return the response or raise `ProviderError` naming the endpoint."""
        register_credentials(kwargs.get("headers") or {})
        for attempt in (1, 2):
            response = self._send(
                method,
                path,
                lambda: self.rest.request(
                    path,
                    method,  # type: ignore[arg-type]
                    auth=self.auth if authenticated else None,
                    **kwargs,
                ),
            )
            if response.status_code in expected:
                return response
            # a token revoked or expired early: a fresh one, once
            refresh = response.status_code == 401 and authenticated and attempt == 1
            if refresh and self.on_unauthorized:
                logger.info("%s: %s returned 401, refreshing credentials", self.provider, path)
                self.on_unauthorized()
                continue
            raise self.error(method, response.url or self.url(path), response)
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.parse_json(method, path, self.request(method, path, **kwargs))

    def pages(
        self,
        path: str,
        paginator: BasePaginator,
        *,
        data_selector: str,
        method: str = "GET",
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Iterator[list[Any]]:
        """The non-empty pages of a paged listing, read by dlt's `RESTClient.paginate` with
        ``paginator`` (pipelines.common.paging) from the records at ``data_selector``."""
        last: list[requests.Response] = []

        def check(response: requests.Response, *_: Any, **__: Any) -> None:
            last[:] = [response]
            if response.status_code != 200:
                raise _StatusError(response=response)
            parse_once(response)

        pages = self.rest.paginate(
            path,
            method=method,  # type: ignore[arg-type]
            params=dict(params or {}),
            json=dict(json) if json is not None else None,
            auth=self.auth,
            paginator=paginator,
            data_selector=_selector(data_selector),
            hooks={"response": [check]},
        )
        started = time.monotonic()
        try:
            for page in pages:
                if page:
                    yield list(page)
                started = time.monotonic()
        except _StatusError as exc:
            response = cast(requests.Response, exc.response)
            raise self.error(method, response.url or self.url(path), response) from None
        except requests.JSONDecodeError:
            raise self.not_json(method, path, last[0]) from None
        except requests.RequestException as exc:
            raise self.failure(method, path, exc, started) from None

    def _send(self, method: str, path: str, call: Callable[[], requests.Response]) -> Any:
        """``call()``, with a failed connection turned into a `ProviderError` that says what
        went wrong and what to check."""
        started = time.monotonic()
        try:
            return call()
        except requests.RequestException as exc:
            raise self.failure(method, path, exc, started) from None

    def failure(
        self, method: str, path: str, exc: requests.RequestException, started: float
    ) -> ProviderError:
        """A request that got no answer: what went wrong and what to check."""
        url = self.url(path)
        if isinstance(exc, requests.ConnectionError):
            problem = self.connection_problem(exc, url, time.monotonic() - started)
        else:
            problem = (
                f"{redact(type(exc).__name__, self.secrets)}"
                f" ({redact(str(exc), self.secrets).split('?')[0][:200]})"
            )
        return ProviderError(self.provider, f"{method} {endpoint_of(url)} failed: {problem}")

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
            what = f"cannot connect to {host} (no answer within {self.policy.connect_timeout:g} s)"
        elif isinstance(cause, NewConnectionError) and "refused" in str(cause).lower():
            what = f"cannot connect to {host} (connection refused)"
        else:
            what = f"cannot connect to {host} ({type(cause).__name__})"
        return (
            f"{what}, {1 + self.policy.connect_retries} attempt(s) in {seconds:.0f} s; check the "
            "provider's base_url (or region) setting and the network, proxy or firewall"
        )

    def error(self, method: str, url: str, response: requests.Response) -> ProviderError:
        """The error of an unexpected status: provider, endpoint, status and the body's text."""
        detail = redact(error_detail(response), self.secrets)
        message = f"{method} {endpoint_of(url)} returned HTTP {response.status_code}: {detail}"
        if response.status_code in (401, 403):
            if self.auth_hint:
                message = f"authentication failed ({message}); {self.auth_hint}"
            return ProviderAuthError(self.provider, message, status=response.status_code)
        if response.status_code in RETRY_STATUSES:
            message += " (still failing after retries with backoff)"
        return ProviderError(self.provider, message, status=response.status_code)

    def parse_json(
        self, method: str, path: str, response: requests.Response, *, what: str | None = None
    ) -> Any:
        """The JSON body of ``response``, or an error naming the endpoint (or ``what``) and what
        answered instead (an HTML page from a proxy, a captive portal or a maintenance window)."""
        try:
            return response.json()
        except ValueError:
            raise self.not_json(method, path, response, what=what) from None

    def not_json(
        self, method: str, path: str, response: requests.Response, *, what: str | None = None
    ) -> ProviderError:
        kind = (response.headers.get("Content-Type") or "no Content-Type").split(";")[0]
        start = " ".join(response.text[:60].split())
        endpoint = f"{method} {endpoint_of(self.url(path))}"
        return ProviderError(
            self.provider,
            f"{what or endpoint} answered HTTP {response.status_code} "
            f"with {kind}, not JSON (it begins {start!r}): something other than the API "
            "answered (a proxy, captive portal or maintenance page); check the base_url "
            "(or region) setting and run again later",
        )


@functools.cache
def _selector(path: str) -> Any:
    """A compiled JSONPath (dlt's paginate would parse the text again for every page)."""
    return jsonpath.compile_path(path)


def register_credentials(headers: Mapping[str, str]) -> None:
    """Register the credential values among request headers (and a scheme's token) for
    scrubbing, so that no output can repeat them."""
    for name, value in headers.items():
        if CREDENTIAL_HEADER.search(name):
            privacy.register_secret(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in ("bearer", "basic", "token"):
                privacy.register_secret(token)


def _cause(exc: requests.ConnectionError) -> BaseException:
    """The urllib3 error under a requests ConnectionError (MaxRetryError's reason)."""
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, MaxRetryError) and inner.reason is not None:
        return inner.reason
    return inner if isinstance(inner, BaseException) else exc
