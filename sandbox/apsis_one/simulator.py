"""APSIS One simulator, mounted at `/apsis_one` (PROVIDERS.md section 2, docs/CONTRACTS.md).

Endpoints (paths below the prefix):

* `POST /oauth/token`: client-credentials JWT; 401 for bad credentials, 429 past 10/minute.
* `POST /emails/reports`: request an email event export → 201 `{"report_id"}`.
* `GET /emails/reports/{report_id}[?header_auth=true]`: status, then a signed download URL.
* `GET /_files/{report_id}.csv.gz?expires=…&sig=…`: the gzip CSV (the "file_download_url").
* `GET /audience/sections`, `/audience/sections/{s}/attributes`, `/audience/sections/{s}/tags`.
* `GET /emails/sections/{s}/activities` and `/emails/section(s)/{s}/activities/{id}`.

Everything but the token endpoint needs `Authorization: Bearer <token>` (the download URL is
authorised by its signature instead). Errors are problem JSON `{"title", "status", "detail"}`.
Fault and behaviour settings (`POST /_sandbox/faults {"apsis_one": {...}}`) are the fields of
`ApsisOneSettings` except the credentials.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.apsis_one import truth
from sandbox.apsis_one.auth import Signer
from sandbox.apsis_one.catalog_api import CatalogHandlers
from sandbox.apsis_one.export_api import ExportHandlers
from sandbox.apsis_one.model import CANONICAL_TYPES
from sandbox.apsis_one.surprise import UNKNOWN_TYPE
from sandbox.apsis_one.world import ApsisWorld
from sandbox.clock import Clock
from sandbox.web import (
    ProblemError,
    RateWindow,
    Request,
    Response,
    json_response,
    merge_settings,
    visible_settings,
)

logger = logging.getLogger(__name__)

CREDENTIALS = ("client_id", "client_secret")


@dataclass
class ApsisOneSettings:
    """Credentials and the fault/behaviour knobs (every field but the credentials is a fault)."""

    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"
    fail_next_exports: int = 0  # the next n exports end in status `error`
    max_export_rows: int | None = None  # more rows → status `error` ("file too large")
    truncate_downloads: int = 0  # the next n downloads stop after half the bytes
    reset_downloads: int = 0  # the next n downloads reset the connection before answering
    html_status_next: int = 0  # the next n export status calls answer 200 with an HTML page
    rate_limit_next: int = 0  # the next n non-token calls → 429
    server_error_next: int = 0  # the next n non-token calls → 503
    revoke_tokens: int = 0  # the next n bearer checks fail with 401 (token revoked)
    exports_per_minute: int = 30  # real APSIS: 1
    pending_export_limit: int = 3  # exports neither completed nor failed (ASSUMPTION: 1–3)
    retry_after: bool = False  # send Retry-After on 429 (APSIS documents none)
    token_ttl_seconds: float = 3600.0
    token_requests_per_minute: int = 10
    status_delay_seconds: float = 0.1  # time spent in queued, then at least in in_progress
    download_url_ttl_seconds: float = 300.0
    # a copy of every n-th open with a type the project does not map (.surprise; 0 = off)
    unknown_event_every: int = 0
    unknown_event_type: str = UNKNOWN_TYPE


Handler = Callable[[Request, re.Match[str]], Response]


class ApsisOneSimulator:
    """The APSIS One API over APSIS One's part of the world at the world clock; thread-safe
    (one lock for the mutable state)."""

    prefix = "apsis_one"

    def __init__(
        self, clock: Clock, world: ApsisWorld, settings: ApsisOneSettings | None = None
    ) -> None:
        self.clock, self.world = clock, world
        self.settings = settings or ApsisOneSettings()
        self.signer = Signer()
        self._lock = threading.Lock()
        self._token_window = RateWindow()
        self.exports = ExportHandlers(self, self._lock)
        catalog = CatalogHandlers(world, clock)
        # (method, path pattern, handler, needs a bearer token)
        self._routes: list[tuple[str, re.Pattern[str], Handler, bool]] = [
            *self.exports.routes(),
            *((method, pattern, handler, True) for method, pattern, handler in catalog.routes()),
        ]

    # -- Provider protocol --------------------------------------------------------------------

    def get_faults(self) -> dict[str, Any]:
        with self._lock:
            return visible_settings(self.settings, exclude=CREDENTIALS)

    def set_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        surprise = str(changes.get("unknown_event_type", UNKNOWN_TYPE))
        if not surprise or surprise.upper() in CANONICAL_TYPES:
            raise ValueError(
                f"unknown_event_type must be a type APSIS does not have, not {surprise!r}"
            )
        with self._lock:
            merge_settings(self.settings, changes, exclude=CREDENTIALS)
        logger.info("apsis_one faults now %s", self.get_faults())
        return self.get_faults()

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        settings = self.settings
        return truth.truth(
            self.world,
            self.clock.now_ms,
            query,
            settings.unknown_event_type,
            settings.unknown_event_every,
        )

    def handle(self, request: Request) -> Response:
        """Dispatch one request (path relative to `/apsis_one`)."""
        try:
            if request.path == "/oauth/token":
                if request.method != "POST":
                    raise ProblemError(405, "Method Not Allowed", "use POST /oauth/token")
                return self._token(request)
            self._injected_faults()
            for method, pattern, handler, needs_bearer in self._routes:
                match = pattern.fullmatch(request.path)
                if match:
                    if request.method != method:
                        raise ProblemError(
                            405, "Method Not Allowed", f"use {method} {request.path}"
                        )
                    if needs_bearer:
                        self._authorize(request)
                    return handler(request, match)
            raise ProblemError(404, "Not Found", f"no APSIS One endpoint at {request.path}")
        except ProblemError as problem:
            return problem.response()

    # -- cross-cutting --------------------------------------------------------------------------

    def too_many(self, detail: str, wait: float) -> ProblemError:
        headers = {"Retry-After": str(max(1, round(wait)))} if self.settings.retry_after else None
        return ProblemError(429, "Too Many Requests", detail, headers)

    def _injected_faults(self) -> None:
        with self._lock:
            if self.settings.server_error_next:
                self.settings.server_error_next -= 1
                raise ProblemError(503, "Service Unavailable", "injected fault: server error")
            if self.settings.rate_limit_next:
                self.settings.rate_limit_next -= 1
                raise self.too_many("injected fault: rate limit exceeded", 1.0)

    def _authorize(self, request: Request) -> None:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ProblemError(401, "Unauthorized", "missing bearer access token")
        problem = self.signer.token_problem(token.strip())
        with self._lock:
            if not problem and self.settings.revoke_tokens:
                self.settings.revoke_tokens -= 1
                problem = "injected fault: the access token was revoked"
        if problem:
            raise ProblemError(401, "Unauthorized", problem)

    # -- endpoints ----------------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        """`POST /oauth/token` {grant_type, client_id, client_secret} → bearer JWT."""
        wait = self._token_window.try_acquire(self.settings.token_requests_per_minute)
        if wait is not None:
            raise self.too_many("token requests are limited per minute", wait)
        body = request.json()
        if not isinstance(body, dict) or body.get("grant_type") != "client_credentials":
            raise ProblemError(400, "Bad Request", "grant_type must be client_credentials")
        if (
            body.get("client_id") != self.settings.client_id
            or body.get("client_secret") != self.settings.client_secret
        ):
            raise ProblemError(401, "Unauthorized", "invalid client credentials")
        ttl = self.settings.token_ttl_seconds
        token, _ = self.signer.issue_token(self.settings.client_id, ttl)
        return json_response(
            200, {"access_token": token, "expires_in": int(ttl), "token_type": "Bearer"}
        )
