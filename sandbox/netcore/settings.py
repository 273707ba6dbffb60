"""Netcore simulator settings: the key, faults and the protocol ASSUMPTIONS (docs/CONTRACTS.md 6.1;
`POST /_sandbox/faults {"netcore": {...}}` changes every field but the key), and Netcore's error
envelope."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.netcore.model import STATUSES
from sandbox.netcore.stats import STATS_PLAIN_BOUNCES
from sandbox.netcore.surprise import UNKNOWN_STATUS
from sandbox.web import Response, json_response

CREDENTIALS = ("api_key",)


@dataclass
class NetcoreSettings:
    """The key, faults and the protocol ASSUMPTIONS (all but the key changeable as faults)."""

    api_key: str = "sandbox-netcore-key"
    # faults (docs/CONTRACTS.md 6.1)
    rate_limit_next: int = 0  # the next n calls → 429 with Retry-After
    server_error_next: int = 0  # the next n calls → 503
    truncate_downloads: int = 0  # the next n file downloads stop after half the bytes
    # the Download Logs status reports this many rows more than its file holds
    download_rows_overstated_by: int = 0
    reset_downloads: int = 0  # the next n file downloads reset the connection before answering
    retry_after_seconds: int = 1
    # Paging faults (docs/CONTRACTS.md, "Paging to the end") on `GET /events` (offset and
    # scrollid) and `GET /stats`: at most `page_size_cap` records per page (0 = off), silently;
    # scrolls and stats pages advance by the size asked instead of the size served;
    # `totalRecords` counts records never served.
    page_size_cap: int = 0
    page_offsets_from_asked_size: bool = False
    total_overstated_by: int = 0
    # ASSUMPTIONS (PROVIDERS.md section 3)
    timezone: str = "Asia/Kolkata"  # the account timezone: dates, filters and times
    retention_days: int = 90  # startdate older than this many days before today → 400
    default_limit: int = 10
    max_limit: int = 1000
    max_offset: int = 1000
    stats_max_limit: int = 100
    # how the stats count the plain status `bounce`: `by_class` (in hardbounce or softbounce by
    # its decoded class, and in bounce) or `bounce_only` (in bounce alone); netcore_truth
    stats_plain_bounces: str = "by_class"
    scroll_ttl_seconds: float = 300.0  # wall clock
    download_polls: int = 1  # status polls that answer `processing` before `completed`
    download_ttl_hours: float = 24.0  # world clock
    zip_downloads: bool = False  # the log file as a ZIP of one CSV
    # every n-th message that ends delivered shows a status the project does not map
    # (sandbox.netcore.surprise; 0 = off)
    unknown_status_every: int = 0
    unknown_status: str = UNKNOWN_STATUS


class NetcoreError(Exception):
    """A Netcore-style error envelope with `status`."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str = "",
        code: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status, self.message, self.field = status, message, field
        self.code = code or str(status)
        self.headers = dict(headers or {})

    def response(self) -> Response:
        error = {"message": self.message, "field": self.field, "code": self.code}
        payload = {"status": "error", "data": [], "error": [error]}
        return json_response(self.status, payload, self.headers)


def validate(settings: NetcoreSettings) -> None:
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {settings.timezone!r}") from None
    for name in ("default_limit", "max_limit", "stats_max_limit", "retention_days"):
        if getattr(settings, name) < 1:
            raise ValueError(f"{name} must be at least 1")
    if settings.stats_plain_bounces not in STATS_PLAIN_BOUNCES:
        raise ValueError(f"stats_plain_bounces must be one of {', '.join(STATS_PLAIN_BOUNCES)}")
    if settings.default_limit > settings.max_limit:
        raise ValueError("default_limit must not exceed max_limit")
    if not settings.unknown_status or settings.unknown_status in STATUSES:
        raise ValueError(
            f"unknown_status must be a status Netcore does not have yet, not {settings.unknown_status!r}"
        )
