"""Maxemail simulator settings: credentials, faults and the protocol ASSUMPTIONS (docs/CONTRACTS.md
5.1; `POST /_sandbox/faults {"maxemail": {...}}` changes every field but the credentials), and
Maxemail's error answers."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.web import Response, json_response

CREDENTIALS = ("username", "password")
ZIP_MODES = ("auto", "always", "never")


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


class ServerError(MaxemailError):
    """503 with an HTML body: Maxemail's 5xx bodies are not guaranteed to be JSON."""

    def __init__(self) -> None:
        super().__init__(503, "Service Unavailable")

    def response(self) -> Response:
        body = b"<html><body><h1>503 Service Unavailable</h1></body></html>\n"
        return Response(503, body, "text/html; charset=utf-8")


def validate(settings: MaxemailSettings) -> None:
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
