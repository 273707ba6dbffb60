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
import io
import json
import logging
import re
import secrets
import threading
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.maxemail_events import CAMPAIGN, SMS, TRANSACTIONAL, TRIGGERED, local_text
from sandbox.maxemail_files import METHODS, export_rows, render_csv, since
from sandbox.maxemail_truth import find_object, maxemail_truth
from sandbox.overall_truth import maxemail_campaigns, overall_truth
from sandbox.report_pairs import maxemail_pairs
from sandbox.report_truth import report_params, report_truth
from sandbox.timeutil import HOUR_MS
from sandbox.web import Request, Response, json_response, merge_settings
from sandbox.world import World

logger = logging.getLogger(__name__)

CREDENTIALS = ("username", "password")
ZIP_MODES = ("auto", "always", "never")
FILE_ROUTE = re.compile(r"/(?:download/)?file/key/(?P<key>[^/]+)")
API_ROUTE = re.compile(r"/api/json/(?P<service>[^/]+)")
FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class MaxemailSettings:
    """Credentials, faults and the protocol ASSUMPTIONS (every field but the credentials can be
    changed through the faults API)."""

    username: str = "sandbox-user"
    password: str = "sandbox-pass"
    # faults (docs/CONTRACTS.md 5.1)
    truncate_downloads: int = 0  # the next n downloads stop after half the bytes
    expire_next_keys: int = 0  # the next n downloads expire their key: 404 File not found
    rate_limit_next: int = 0  # the next n calls → 429 with Retry-After
    server_error_next: int = 0  # the next n calls → 503 with an HTML body
    zip_downloads: str = "auto"  # "auto" | "always" | "never"
    warning_header: bool = False  # `Warning: 299 MxmApi/v100 "<method> Deprecated: …"` on API calls
    export_delay_seconds: float = 0.0  # a slow export call (the file is built synchronously)
    extra_column: str = ""  # a CSV header: every file gets that column too (sandbox.surprises)
    # ASSUMPTIONS (PROVIDERS.md section 1)
    timezone: str = "Europe/London"  # account local time of filters and file timestamps
    sms_service: str = "data_export_quick_sms"  # the SMS quick export's service name
    key_ttl_hours: float = 24.0  # a download key lives this long (world clock)
    missing_file_status: int = 404  # status of "File not found" (404 or 400)
    filter_inclusive: bool = True  # `timestamp` filter keeps rows at the instant (>=) or not (>)
    zip_every: int = 2  # "auto": every n-th export is zipped (1 = all; 0 = by size only)...
    zip_min_bytes: int = 256 * 1024  # ...and so is any file of at least this many bytes
    retry_after_seconds: int = 1  # Retry-After of the injected 429


class MaxemailError(Exception):
    """A Maxemail-style error: `{"success": false, "msg": msg}` with `status`."""

    def __init__(self, status: int, msg: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {msg}")
        self.status, self.msg, self.headers = status, msg, dict(headers or {})

    def response(self) -> Response:
        return json_response(self.status, {"success": False, "msg": self.msg}, self.headers)


@dataclass(frozen=True)
class _File:
    created_ms: int
    data: bytes
    content_type: str
    filename: str


class MaxemailSimulator:
    """The Maxemail JSON-RPC API and file downloads over one `World`; thread-safe."""

    prefix = "maxemail"

    def __init__(self, world: World, settings: MaxemailSettings | None = None) -> None:
        self.world = world
        self.settings = settings or MaxemailSettings()
        _validate(self.settings)
        self.files: dict[str, _File] = {}
        self._exports = 0
        self._lock = threading.Lock()

    # -- Provider protocol --------------------------------------------------------------------

    def get_faults(self) -> dict[str, Any]:
        with self._lock:
            values = asdict(self.settings)
        return {k: v for k, v in values.items() if k not in CREDENTIALS}

    def set_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            candidate = replace(self.settings)
            merge_settings(candidate, changes, exclude=CREDENTIALS)
            _validate(candidate)
            self.settings = candidate
        logger.info("maxemail faults now %s", self.get_faults())
        return self.get_faults()

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        now_ms, zone = self.world.now_ms, self._zone()
        params = report_params(query, now_ms)
        pairs = maxemail_pairs(self.world.maxemail, now_ms, zone)
        campaigns = maxemail_campaigns(self.world.maxemail, now_ms, zone)
        return {
            **maxemail_truth(self.world.maxemail, now_ms, zone),
            **report_truth(pairs, params),
            **overall_truth(pairs, campaigns, params),
            "unmapped_event_types": [],  # no such surprise here (sandbox.surprises)
        }

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
                raise _ServerError()
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
        timestamp = _filter_timestamp(_param(params, "filter", 0))
        settings, zone = self.settings, self._zone()
        if settings.export_delay_seconds:
            time.sleep(settings.export_delay_seconds)
        now_ms = self.world.now_ms
        rows = export_rows(self.world.maxemail, message_type, method, now_ms, zone)
        rows = since(rows, timestamp, inclusive=settings.filter_inclusive)
        csv_bytes = render_csv(method, rows, settings.extra_column)
        stamp = local_text(now_ms // 1000, zone)
        name = (
            f"{message_type}_{method}_{stamp.replace('-', '').replace(' ', '_').replace(':', '')}"
        )
        with self._lock:
            count, self._exports = self._exports, self._exports + 1
            mode = settings.zip_downloads
            zipped = mode == "always" or (
                mode == "auto"
                and (
                    (
                        settings.zip_every > 0
                        and count % settings.zip_every == settings.zip_every - 1
                    )
                    or len(csv_bytes) >= settings.zip_min_bytes
                )
            )
            if zipped:
                file = _File(
                    now_ms, _zip(f"{name}.csv", csv_bytes, stamp), "application/zip", f"{name}.zip"
                )
            else:
                file = _File(now_ms, csv_bytes, "text/csv; charset=utf-8", f"{name}.csv")
            self._purge(now_ms)
            key = secrets.token_hex(16)
            self.files[key] = file
        logger.info(
            "maxemail %s.%s filter %r: %d rows, key %s%s",
            message_type,
            method,
            timestamp,
            len(rows),
            key,
            " (zip)" if zipped else "",
        )
        return json_response(200, key)

    def _email_campaign(self, method: str, params: dict[str, str]) -> Response:
        if method != "find":
            raise MaxemailError(400, "Invalid method")
        raw = _param(params, "emailId", 0)
        if raw is None or not raw.strip():
            raise MaxemailError(400, "Missing parameter: emailId")
        mx = self.world.maxemail
        message = mx.by_id.get(int(raw)) if raw.strip().isdigit() else None
        if message is None:
            raise MaxemailError(404, "Email not found")
        return json_response(200, find_object(mx, message, self.world.now_ms, self._zone()))

    # -- downloads -----------------------------------------------------------------------------

    def _expired(self, file: _File, now_ms: int) -> bool:
        return now_ms - file.created_ms > self.settings.key_ttl_hours * HOUR_MS

    def _purge(self, now_ms: int) -> None:
        for key in [k for k, f in self.files.items() if self._expired(f, now_ms)]:
            del self.files[key]

    def _download(self, key: str) -> Response:
        now_ms = self.world.now_ms
        with self._lock:
            settings = self.settings
            file = self.files.get(key)
            if file is not None and settings.expire_next_keys:
                settings.expire_next_keys -= 1
                del self.files[key]
                file = None
            if file is None or self._expired(file, now_ms):
                raise MaxemailError(settings.missing_file_status, "File not found")
            response = Response(
                200,
                file.data,
                file.content_type,
                {"Content-Disposition": f'attachment; filename="{file.filename}"'},
            )
            if settings.truncate_downloads:
                settings.truncate_downloads -= 1
                response.truncate_to = len(file.data) // 2
        return response


class _ServerError(MaxemailError):
    """503 with an HTML body: Maxemail's 5xx bodies are not guaranteed to be JSON."""

    def __init__(self) -> None:
        super().__init__(503, "Service Unavailable")

    def response(self) -> Response:
        body = b"<html><body><h1>503 Service Unavailable</h1></body></html>\n"
        return Response(503, body, "text/html; charset=utf-8")


def _param(params: dict[str, str], name: str, position: int) -> str | None:
    """A parameter by name, else by position (`arg0`, …)."""
    if name in params:
        return params[name]
    return params.get(f"arg{position}")


def _filter_timestamp(raw: str | None) -> str | None:
    """The `timestamp` of a `filter` (normalised `YYYY-MM-DD HH:MM:SS`), None when absent."""
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise MaxemailError(400, "Invalid filter: not valid JSON") from None
    if value is None or value == []:  # an empty PHP array encodes as []
        return None
    if not isinstance(value, dict):
        raise MaxemailError(400, "Invalid filter: expected a JSON object")
    timestamp = value.get("timestamp")
    if timestamp is None or timestamp == "":
        return None
    try:
        return datetime.strptime(str(timestamp), FILTER_FORMAT).strftime(FILTER_FORMAT)
    except ValueError:
        raise MaxemailError(400, "Invalid filter: timestamp must be YYYY-MM-DD HH:MM:SS") from None


def _zip(member: str, data: bytes, local_stamp: str) -> bytes:
    """A ZIP holding exactly one CSV, its entry dated by the export's local time (reproducible)."""
    when = datetime.strptime(local_stamp, FILTER_FORMAT)
    info = zipfile.ZipInfo(member, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data)
    return buffer.getvalue()


def _validate(settings: MaxemailSettings) -> None:
    if settings.zip_downloads not in ZIP_MODES:
        raise ValueError(f"zip_downloads must be one of {ZIP_MODES}")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {settings.timezone!r}") from None
    if settings.missing_file_status not in (400, 404):
        raise ValueError("missing_file_status must be 400 or 404")
    if not settings.sms_service or "/" in settings.sms_service:
        raise ValueError("sms_service must be a service name")
