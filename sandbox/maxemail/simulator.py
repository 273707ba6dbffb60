"""Maxemail simulator, mounted at `/maxemail` (PROVIDERS.md section 1, docs/CONTRACTS.md 5.1).

Routes (paths below the prefix), all behind HTTP Basic auth (`sandbox-user` / `sandbox-pass`):

* `POST|GET /api/json/<service>`, form-encoded (or query string): `method=<name>` plus parameters
  by name or position (`arg0`, …). Export services `data_export_quick[_triggered|_transactional]`
  and the SMS one (setting `sms_service`) take `sent opened clicked responded bounced
  unsubscribed` with an optional `filter` (JSON object text; key `timestamp`, account local time,
  rows at/after it) and answer a JSON string: the download key of a file built during the call.
  `email_campaign` takes `find` with `emailId` and answers the message object (mixed types).
* `GET|POST /download/file/key/<key>` (alias `/file/key/<key>`): the file, `text/csv` or a ZIP of
  one CSV (`application/zip`); a key lives one day of world-clock time.

Errors are `{"success": false, "msg": "..."}` with a 4xx status (5xx bodies are not JSON).
Settings (`POST /_sandbox/faults {"maxemail": {...}}`) are the fields of `MaxemailSettings`
except the credentials; the ASSUMPTIONS of the contract are settings too.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from sandbox.clock import Clock
from sandbox.maxemail import exports, truth
from sandbox.maxemail.files import METHODS, ExportFile, ExportSpec, filter_timestamp
from sandbox.maxemail.find import find_object
from sandbox.maxemail.model import (
    CAMPAIGN,
    SMS,
    TRANSACTIONAL,
    TRIGGERED,
    MaxemailWorld,
)
from sandbox.maxemail.settings import (
    CREDENTIALS,
    MaxemailError,
    MaxemailSettings,
    ServerError,
    validate,
)
from sandbox.timeutil import HOUR_MS
from sandbox.web import Request, Response, json_response, merged_settings, visible_settings

logger = logging.getLogger(__name__)

FILE_ROUTE = re.compile(r"/(?:download/)?file/key/(?P<key>[^/]+)")
API_ROUTE = re.compile(r"/api/json/(?P<service>[^/]+)")


class MaxemailSimulator:
    """The Maxemail JSON-RPC API and file downloads over Maxemail's part of the world at the
    world clock; thread-safe."""

    prefix = "maxemail"

    def __init__(
        self, clock: Clock, world: MaxemailWorld, settings: MaxemailSettings | None = None
    ) -> None:
        self.clock, self.world = clock, world
        self.settings = settings or MaxemailSettings()
        validate(self.settings)
        self.files: dict[str, ExportFile] = {}
        self._exports = 0
        self._lock = threading.Lock()

    # -- Provider protocol --------------------------------------------------------------------

    def get_faults(self) -> dict[str, Any]:
        with self._lock:
            return visible_settings(self.settings, exclude=CREDENTIALS)

    def set_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.settings = merged_settings(
                self.settings, changes, exclude=CREDENTIALS, validate=validate
            )
        logger.info("maxemail faults now %s", self.get_faults())
        return self.get_faults()

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        return truth.truth(self.world, self.clock.now_ms, self._zone(), query)

    def handle(self, request: Request) -> Response:
        """Dispatch one request (path relative to `/maxemail`)."""
        try:
            if request.method not in ("GET", "POST"):
                raise MaxemailError(405, "Method not allowed")
            self._authorize(request)
            self._injected_faults()
            match = API_ROUTE.fullmatch(request.path)
            if match:
                return self._api(request, match["service"])
            match = FILE_ROUTE.fullmatch(request.path)
            if match:
                return self._download(match["key"])
            raise MaxemailError(404, f"Not found: {request.path}")
        except MaxemailError as error:
            return error.response()

    # -- cross-cutting --------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def _authorize(self, request: Request) -> None:
        scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
        try:
            user, _, password = (
                base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
        settings = self.settings
        if scheme.lower() != "basic" or not (
            secrets.compare_digest(user, settings.username)
            and secrets.compare_digest(password, settings.password)
        ):
            raise MaxemailError(
                401, "Authentication failed", {"WWW-Authenticate": 'Basic realm="Maxemail API"'}
            )

    def _injected_faults(self) -> None:
        with self._lock:
            settings = self.settings
            if settings.server_error_next:
                settings.server_error_next -= 1
                raise ServerError()
            if settings.rate_limit_next:
                settings.rate_limit_next -= 1
                raise MaxemailError(
                    429,
                    "Too many requests",
                    {"Retry-After": str(settings.retry_after_seconds)},
                )

    # -- JSON-RPC ------------------------------------------------------------------------------

    def _services(self) -> dict[str, Callable[[str, dict[str, str]], Response]]:
        def export(message_type: str) -> Callable[[str, dict[str, str]], Response]:
            return lambda method, params: self._export(message_type, method, params)

        return {
            "data_export_quick": export(CAMPAIGN),
            "data_export_quick_triggered": export(TRIGGERED),
            "data_export_quick_transactional": export(TRANSACTIONAL),
            self.settings.sms_service: export(SMS),
            "email_campaign": self._email_campaign,
        }

    def _api(self, request: Request, service: str) -> Response:
        handler = self._services().get(service)
        if handler is None:
            raise MaxemailError(404, "Invalid Node Class")
        params = dict(request.query)
        if request.method == "POST" and request.body:
            content_type = (request.headers.get("Content-Type") or "").lower()
            if content_type and "x-www-form-urlencoded" not in content_type:
                raise MaxemailError(400, "Request body must be application/x-www-form-urlencoded")
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise MaxemailError(400, "Request body is not UTF-8") from None
            params.update(parse_qsl(text, keep_blank_values=True))
        method = params.get("method", "")
        response = handler(method, params)
        if self.settings.warning_header:
            response.headers["Warning"] = (
                f'299 MxmApi/v100 "{method} Deprecated: this method will be removed in a future '
                'API version"'
            )
        return response

    def _export(self, message_type: str, method: str, params: dict[str, str]) -> Response:
        if method not in METHODS:
            raise MaxemailError(400, "Invalid method")
        timestamp = filter_timestamp(_param(params, "filter", 0))
        settings = self.settings
        if settings.export_delay_seconds:
            time.sleep(settings.export_delay_seconds)
        spec = ExportSpec(
            message_type,
            method,
            self.clock.now_ms,
            settings.timezone,
            timestamp,
            settings.filter_inclusive,
            settings.extra_column,
        )
        with self._lock:
            count, self._exports = self._exports, self._exports + 1
        file, rows = exports.build(self.world, spec, settings, count)
        with self._lock:
            self._purge(spec.now_ms)
            key = secrets.token_hex(16)
            self.files[key] = file
        logger.info(
            "maxemail %s.%s filter %r: %d rows, key %s%s",
            message_type,
            method,
            timestamp,
            rows,
            key,
            " (zip)" if file.content_type == "application/zip" else "",
        )
        return json_response(200, key)

    def _email_campaign(self, method: str, params: dict[str, str]) -> Response:
        if method != "find":
            raise MaxemailError(400, "Invalid method")
        raw = _param(params, "emailId", 0)
        if raw is None or not raw.strip():
            raise MaxemailError(400, "Missing parameter: emailId")
        mx = self.world
        message = mx.by_id.get(int(raw)) if raw.strip().isdigit() else None
        if message is None:
            raise MaxemailError(404, "Email not found")
        return json_response(200, find_object(mx, message, self.clock.now_ms, self._zone()))

    # -- downloads -----------------------------------------------------------------------------

    def _expired(self, file: ExportFile, now_ms: int) -> bool:
        return now_ms - file.created_ms > self.settings.key_ttl_hours * HOUR_MS

    def _purge(self, now_ms: int) -> None:
        for key in [k for k, f in self.files.items() if self._expired(f, now_ms)]:
            del self.files[key]

    def _download(self, key: str) -> Response:
        now_ms = self.clock.now_ms
        with self._lock:
            settings = self.settings
            file = self.files.get(key)
            if file is not None and settings.expire_next_keys:
                settings.expire_next_keys -= 1
                del self.files[key]
                file = None
            if file is None or self._expired(file, now_ms):
                raise MaxemailError(settings.missing_file_status, "File not found")
            truncate = settings.truncate_downloads > 0
            if truncate:
                settings.truncate_downloads -= 1
        return exports.response(self.world, file, truncate)


def _param(params: dict[str, str], name: str, position: int) -> str | None:
    """A parameter by name, else by position (`arg0`, …)."""
    if name in params:
        return params[name]
    return params.get(f"arg{position}")
