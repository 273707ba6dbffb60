"""Netcore Cloud Email API simulator, mounted at `/netcore` (PROVIDERS.md 3, docs/CONTRACTS.md 6.1).

Routes below the prefix, each under `/v5.1` and `/v6` (the same behaviour), all behind the API key
(`sandbox-netcore-key`) sent as `api_key: <key>`, `Authorization: Bearer <key>` or
`Authorization: x-api-key <key>`:

* `GET /events`: messages requested on `startdate`..`enddate` (account-local dates), each in its
  latest status at the world clock with the opens and clicks so far; filters `events` (statuses or
  one aggregate alone), `subject`, `xapiheader`, `fromaddress`, `email`; `sort` asc|desc by request
  time; paging by `offset`/`limit` or by the `scrollid` of the previous response (the last page
  has empty `data` and `scrollid: null`). `startdate` older than the 90-day retention → 400.
* `GET /stats`: one entry per local day (`aggregated_by` week/month sums days) counted from the
  same messages by request date; `offset` is the 1-based page, `limit` ≤ 100 entries.
* `POST /logs/download` (ASSUMPTION, PROVIDERS 3.5) with the events filters as JSON → 202 and a
  `download_id`; `GET /logs/download/{id}` → `processing` (for `download_polls` polls), then
  `completed` with a `url` to a CSV of the logs columns (`opens`, `clicks` as JSON text). The
  file URL carries its own token and needs no key.

Errors: `{"status": "error", "data": [], "error": [{"message", "field", "code"}]}`.
Settings (`POST /_sandbox/faults {"netcore": {...}}`) are the fields of `NetcoreSettings` but the
key; the ASSUMPTIONS of the contract are settings too.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import secrets
import threading
import time
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.netcore_events import (
    BOUNCE,
    CLICK,
    DELIVERED,
    HARDBOUNCE,
    OPEN,
    SOFTBOUNCE,
    SPAM,
    STATUSES,
    UNSUBSCRIBE,
    MessageState,
    local_day_bounds,
    local_text,
)
from sandbox.netcore_truth import STATS_PLAIN_BOUNCES, message_stats, netcore_truth
from sandbox.overall_truth import netcore_campaigns, overall_truth
from sandbox.paging import PageCap
from sandbox.report_pairs import netcore_pairs
from sandbox.report_truth import report_params, report_truth
from sandbox.surprises import NETCORE_UNKNOWN_STATUS, netcore_shows_unknown, netcore_unknown_counts
from sandbox.timeutil import HOUR_MS
from sandbox.web import Request, Response, json_response, merge_settings
from sandbox.world import World

logger = logging.getLogger(__name__)

CREDENTIALS = ("api_key",)
VERSIONS = ("v5.1", "v6")
ROUTE = re.compile(
    r"/(?P<version>v5\.1|v6)/(?P<what>events|stats|logs/download)"
    r"(?:/(?P<download>[A-Za-z0-9_-]+)(?P<file>/file)?)?"
)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# `events` filter values (lower-case, the SDK enum; the docs' capitalised names are aliases).
EVENT_FILTERS = {
    **{s: (s,) for s in STATUSES},
    "bounce": (HARDBOUNCE, SOFTBOUNCE, BOUNCE),
    "opened": (OPEN,),
    "clicked": (CLICK,),
    "abuse": (SPAM,),
    "unsubscribed": (UNSUBSCRIBE,),
}
# Aggregates, each to be passed alone (PROVIDERS 3.4). ASSUMPTION: the docs' "Sent" in
# total_delivered is the old name of delivered.
AGGREGATES = {
    "total_requested": STATUSES,
    "total_delivered": (DELIVERED, OPEN, CLICK, UNSUBSCRIBE, SPAM),
    "total_opened": (OPEN, CLICK, UNSUBSCRIBE, SPAM),
    "total_clicked": (CLICK, UNSUBSCRIBE),
}
TEXT_FILTERS = {"subject": "subject", "xapiheader": "xapiheader", "fromaddress": "fromaddress"}
LOG_COLUMNS = (
    "trid", "rcptEmail", "fromaddress", "requestedTime", "deliveryTime", "modifiedTime", "status",
    "size", "remarks", "subject", "xapiheader", "tags", "opens", "clicks",
)  # fmt: skip


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
    # (sandbox.surprises; 0 = off)
    unknown_status_every: int = 0
    unknown_status: str = NETCORE_UNKNOWN_STATUS


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


@dataclass(frozen=True)
class Query:
    """A validated events query."""

    startdate: str
    enddate: str
    statuses: frozenset[str] | None
    text: tuple[tuple[str, str], ...]  # (field, exact value)
    email: str | None
    descending: bool = False


@dataclass
class _Scroll:
    rows: list[dict[str, Any]]
    position: int
    limit: int
    created: float


@dataclass
class _Download:
    rows: list[dict[str, Any]]
    created_ms: int
    token: str
    polls: int = 0


class NetcoreSimulator:
    """The Netcore events, stats and download-logs API over one `World`; thread-safe."""

    prefix = "netcore"

    def __init__(self, world: World, settings: NetcoreSettings | None = None) -> None:
        self.world = world
        self.settings = settings or NetcoreSettings()
        _validate(self.settings)
        self._scrolls: dict[str, _Scroll] = {}
        self._downloads: dict[str, _Download] = {}
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
        logger.info("netcore faults now %s", self.get_faults())
        return self.get_faults()

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        now_ms, zone = self.world.now_ms, self._zone()
        params = report_params(query, now_ms)
        pairs = netcore_pairs(self.world.netcore, now_ms, zone)
        campaigns = netcore_campaigns(self.world.netcore)
        settings = self.settings
        unmapped = netcore_unknown_counts(
            self.world.netcore, now_ms, settings.unknown_status, settings.unknown_status_every
        )
        return {
            **netcore_truth(self.world.netcore, now_ms, zone),
            **report_truth(pairs, params),
            **overall_truth(pairs, campaigns, params),
            "unmapped_event_types": unmapped,
        }

    def handle(self, request: Request) -> Response:
        """Dispatch one request (path relative to `/netcore`)."""
        try:
            match = ROUTE.fullmatch(request.path)
            if match is None:
                raise NetcoreError(404, f"Not found: {request.path}", code="not_found")
            what, download_id = match["what"], match["download"]
            if what == "logs/download" and download_id and match["file"]:
                return self._file(request, download_id)  # signed URL: no key needed
            self._authorize(request)
            self._injected_faults()
            method = "POST" if what == "logs/download" and not download_id else "GET"
            if request.method != method:
                raise NetcoreError(405, f"Method {request.method} not allowed", code="405")
            if what == "events":
                return self._events(request.query)
            if what == "stats":
                return self._stats(request.query)
            if download_id:
                return self._download_status(request, match["version"], download_id)
            return self._request_download(request)
        except NetcoreError as error:
            return error.response()

    # -- cross-cutting --------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def _today(self) -> date:
        return datetime.fromtimestamp(self.world.now_ms / 1000, self._zone()).date()

    def _authorize(self, request: Request) -> None:
        key = self.settings.api_key
        given = (request.headers.get("api_key") or "").strip()
        if not given:
            scheme, _, value = (request.headers.get("Authorization") or "").strip().partition(" ")
            if scheme.lower() in ("bearer", "x-api-key"):
                given = value.strip()
        if not given or not secrets.compare_digest(given, key):
            raise NetcoreError(
                401,
                "Unauthorized: the API key is missing or invalid",
                field="api_key",
                code="401",
            )

    def _injected_faults(self) -> None:
        with self._lock:
            settings = self.settings
            if settings.server_error_next:
                settings.server_error_next -= 1
                raise NetcoreError(503, "Service temporarily unavailable", code="503")
            if settings.rate_limit_next:
                settings.rate_limit_next -= 1
                raise NetcoreError(
                    429,
                    "Too many requests",
                    code="429",
                    headers={"Retry-After": str(settings.retry_after_seconds)},
                )

    # -- events ---------------------------------------------------------------------------------

    def _parse_query(self, params: Mapping[str, Any]) -> Query:
        """Validate the filters shared by `GET /events` and `POST /logs/download`."""
        today = self._today()
        startdate = _text(params.get("startdate"))
        if not startdate:
            raise NetcoreError(400, "startdate is required", "startdate", "missing_parameter")
        start = _date(startdate, "startdate")
        enddate = _text(params.get("enddate")) or today.isoformat()
        end = _date(enddate, "enddate")
        if end < start:
            raise NetcoreError(400, "enddate must not be before startdate", "enddate")
        oldest = today - timedelta(days=self.settings.retention_days)
        if start < oldest:
            raise NetcoreError(
                400,
                f"startdate must be within the last {self.settings.retention_days} days "
                f"(on or after {oldest.isoformat()}): event data is kept for "
                f"{self.settings.retention_days} days",
                "startdate",
                "retention",
            )
        statuses = _event_filter(_text(params.get("events")))
        text = []
        for name, column in TEXT_FILTERS.items():
            value = _text(params.get(name))
            if value:
                _check_length(value, name)
                text.append((column, value))
        email = _text(params.get("email"))
        if email:
            _check_length(email, "email")
        sort = (_text(params.get("sort")) or "asc").lower()
        if sort not in ("asc", "desc"):
            raise NetcoreError(400, "sort must be asc or desc", "sort")
        return Query(
            start.isoformat(),
            end.isoformat(),
            statuses,
            tuple(text),
            email.lower() if email else None,
            sort == "desc",
        )

    def _rows(self, query: Query) -> list[dict[str, Any]]:
        zone = self._zone()
        start_s, end_s = local_day_bounds(query.startdate, query.enddate, zone)
        states = self.world.netcore.states(self.world.now_ms, start_s, end_s)
        rows = []
        every = self.settings.unknown_status_every
        for state in states:
            if netcore_shows_unknown(state, every):
                state = replace(state, status=self.settings.unknown_status)
            if query.statuses is not None and state.status not in query.statuses:
                continue
            if query.email is not None and state.message.address.lower() != query.email:
                continue
            row = render(state, zone)
            if all(row[column] == value for column, value in query.text):
                rows.append(row)
        if query.descending:
            rows.reverse()
        return rows

    def _events(self, params: Mapping[str, str]) -> Response:
        settings = self.settings
        limit = _int(params.get("limit"), "limit", settings.default_limit, 1, settings.max_limit)
        scroll_id = _text(params.get("scrollid"))
        if scroll_id:
            return self._scroll(scroll_id, limit if params.get("limit") else None)
        offset = _int(params.get("offset"), "offset", 0, 0, settings.max_offset)
        rows = self._rows(self._parse_query(params))
        cap = self._cap()
        page = rows[cap.at(offset, limit)]
        next_id = self._open_scroll(rows, offset + cap.advance(limit), limit) if page else None
        return self._events_page(page, len(rows), next_id)

    def _open_scroll(self, rows: list[dict[str, Any]], position: int, limit: int) -> str:
        now = time.monotonic()
        with self._lock:
            ttl = self.settings.scroll_ttl_seconds
            for key in [k for k, s in self._scrolls.items() if now - s.created > ttl]:
                del self._scrolls[key]
            while len(self._scrolls) >= 1000:  # oldest first
                del self._scrolls[next(iter(self._scrolls))]
            scroll_id = secrets.token_urlsafe(24)
            self._scrolls[scroll_id] = _Scroll(rows, position, limit, now)
        return scroll_id

    def _scroll(self, scroll_id: str, limit: int | None) -> Response:
        with self._lock:
            scroll = self._scrolls.get(scroll_id)
            expired = (
                scroll is not None
                and time.monotonic() - scroll.created > self.settings.scroll_ttl_seconds
            )
            if scroll is None or expired:
                self._scrolls.pop(scroll_id, None)
                raise NetcoreError(400, "Invalid or expired scrollid", "scrollid")
            size, cap = limit or scroll.limit, self._cap()
            page = scroll.rows[cap.at(scroll.position, size)]
            scroll.position += cap.advance(size)
            scroll.created = time.monotonic()
            if not page:
                del self._scrolls[scroll_id]
        return self._events_page(page, len(scroll.rows), scroll_id if page else None)

    def _cap(self) -> PageCap:
        settings = self.settings
        return PageCap(settings.page_size_cap, settings.page_offsets_from_asked_size)

    def _events_page(self, rows: list[dict[str, Any]], total: int, scroll: str | None) -> Response:
        return _events_page(rows, total + self.settings.total_overstated_by, scroll)

    # -- stats ----------------------------------------------------------------------------------

    def _stats(self, params: Mapping[str, str]) -> Response:
        startdate = _text(params.get("startdate"))
        if not startdate:
            raise NetcoreError(400, "startdate is required", "startdate", "missing_parameter")
        start = _date(startdate, "startdate")
        today = self._today()
        end = _date(_text(params.get("enddate")) or today.isoformat(), "enddate")
        if end < start:
            raise NetcoreError(400, "enddate must not be before startdate", "enddate")
        period = (_text(params.get("aggregated_by")) or "day").lower()
        if period not in ("day", "week", "month"):
            raise NetcoreError(400, "aggregated_by must be day, week or month", "aggregated_by")
        limit = _int(params.get("limit"), "limit", 100, 1, self.settings.stats_max_limit)
        page = _int(params.get("offset"), "offset", 1, 1, 1_000_000)
        zone, now_ms = self._zone(), self.world.now_ms
        last = min(end, today)
        buckets: dict[str, list[MessageState]] = {}
        day = start
        while day <= last:
            buckets.setdefault(_bucket(day, period), [])
            day += timedelta(days=1)
        if start <= last:
            start_s, end_s = local_day_bounds(start.isoformat(), last.isoformat(), zone)
            for state in self.world.netcore.states(now_ms, start_s, end_s):
                local = datetime.fromtimestamp(state.message.requested_s, zone).date()
                buckets[_bucket(local, period)].append(state)
        plain = self.settings.stats_plain_bounces
        entries = [
            {"date": key, "stats": message_stats(states, plain)} for key, states in buckets.items()
        ]
        chunk = entries[self._cap().page(page, limit)]
        return json_response(200, {"status": "success", "message": "OK", "data": chunk})

    # -- download logs --------------------------------------------------------------------------

    def _request_download(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise NetcoreError(400, "the request body is not valid JSON", "body") from None
        if not isinstance(body, dict):
            raise NetcoreError(400, "the request body must be a JSON object", "body")
        rows = self._rows(self._parse_query(body))
        now_ms = self.world.now_ms
        with self._lock:
            ttl_ms = self.settings.download_ttl_hours * HOUR_MS
            for key in [k for k, d in self._downloads.items() if now_ms - d.created_ms > ttl_ms]:
                del self._downloads[key]
            download_id = secrets.token_hex(12)
            self._downloads[download_id] = _Download(rows, now_ms, secrets.token_urlsafe(16))
        logger.info("netcore logs download %s: %d rows", download_id, len(rows))
        return json_response(
            202,
            {
                "status": "success",
                "message": "Request accepted",
                "data": {"download_id": download_id},
            },
        )

    def _find_download(self, download_id: str) -> _Download:
        download = self._downloads.get(download_id)
        ttl_ms = self.settings.download_ttl_hours * HOUR_MS
        if download is None or self.world.now_ms - download.created_ms > ttl_ms:
            raise NetcoreError(404, "Download not found or expired", "download_id", "not_found")
        return download

    def _download_status(self, request: Request, version: str, download_id: str) -> Response:
        with self._lock:
            download = self._find_download(download_id)
            download.polls += 1
            ready = download.polls > self.settings.download_polls
        data: dict[str, Any] = {"download_id": download_id}
        if ready:
            data["status"] = "completed"
            data["url"] = (
                f"{request.base_url}/{self.prefix}/{version}/logs/download/{download_id}/file"
                f"?token={download.token}"
            )
            data["rows"] = len(download.rows) + self.settings.download_rows_overstated_by
        else:
            data["status"] = "processing"
        return json_response(200, {"status": "success", "data": data})

    def _file(self, request: Request, download_id: str) -> Response:
        if request.method != "GET":
            raise NetcoreError(405, f"Method {request.method} not allowed", code="405")
        with self._lock:
            download = self._find_download(download_id)
            if not secrets.compare_digest(request.query.get("token", ""), download.token):
                raise NetcoreError(403, "Invalid download token", "token", "403")
            settings = self.settings
            if settings.reset_downloads > 0:
                settings.reset_downloads -= 1
                return Response(200, reset=True)
            truncate = settings.truncate_downloads > 0
            if truncate:
                settings.truncate_downloads -= 1
        data = render_csv(download.rows)
        name = f"netcore_logs_{download_id}"
        if settings.zip_downloads:
            data, content_type, name = _zip(f"{name}.csv", data), "application/zip", f"{name}.zip"
        else:
            content_type, name = "text/csv; charset=utf-8", f"{name}.csv"
        response = Response(
            200, data, content_type, {"Content-Disposition": f'attachment; filename="{name}"'}
        )
        if truncate:
            response.truncate_to = len(data) // 2
        return response


# -- rendering -----------------------------------------------------------------------------------


def render(state: MessageState, zone: ZoneInfo) -> dict[str, Any]:
    """One events-API row (the v2 CLI / v5.1 field order), times in the account timezone."""
    message, campaign = state.message, state.message.campaign
    return {
        "trid": message.trid,
        "rcptEmail": message.address,
        "fromaddress": campaign.from_address,
        "requestedTime": local_text(message.requested_s, zone),
        "deliveryTime": "" if state.delivered_s is None else local_text(state.delivered_s, zone),
        "modifiedTime": local_text(state.modified_s, zone),
        "status": state.status,
        "size": message.size,
        "remarks": state.remarks,
        "subject": campaign.subject,
        "xapiheader": campaign.id,
        "tags": campaign.name,
        "opens": [{"ip": ip, "time": local_text(at, zone)} for at, ip in state.opens],
        "clicks": [
            {"ip": ip, "link": link, "time": local_text(at, zone)} for at, ip, link in state.clicks
        ],
    }


def render_csv(rows: list[dict[str, Any]]) -> bytes:
    """The Download Logs file: the logs columns, `opens` and `clicks` as JSON text (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LOG_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                json.dumps(row[c], ensure_ascii=False, separators=(",", ":"))
                if c in ("opens", "clicks")
                else row[c]
                for c in LOG_COLUMNS
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _events_page(rows: list[dict[str, Any]], total: int, scroll_id: str | None) -> Response:
    return json_response(
        200,
        {
            "status": "success",
            "message": "OK",
            "totalRecords": total,
            "data": rows,
            "scrollid": scroll_id,
        },
    )


def _bucket(day: date, period: str) -> str:
    """The stats entry a day belongs to: the day, the Monday of its week, or the 1st of its month."""
    if period == "week":
        day -= timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    return day.isoformat()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise NetcoreError(400, f"expected a string, got {value!r}", "body")
    return value.strip() or None


def _date(value: str, name: str) -> date:
    if not DATE.fullmatch(value):
        raise NetcoreError(400, f"{name} must be a date YYYY-MM-DD", name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NetcoreError(400, f"{name} must be a date YYYY-MM-DD", name) from None


def _int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NetcoreError(400, f"{name} must be an integer", name) from None
    if not low <= number <= high:
        raise NetcoreError(400, f"{name} must be between {low} and {high}", name)
    return number


def _check_length(value: str, name: str) -> None:
    if len(value) > 255:
        raise NetcoreError(400, f"{name} must be at most 255 characters", name)


def _event_filter(raw: str | None) -> frozenset[str] | None:
    """Statuses selected by `events` (None: all). An aggregate must be passed alone."""
    if raw is None:
        return None
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    aggregates = [n for n in names if n in AGGREGATES]
    if aggregates and len(names) > 1:
        raise NetcoreError(
            400,
            f"the aggregate event filter {aggregates[0]} must be passed alone",
            "events",
            "invalid_parameter",
        )
    if aggregates:
        return frozenset(AGGREGATES[aggregates[0]])
    unknown = [n for n in names if n not in EVENT_FILTERS]
    if unknown:
        known = sorted({*EVENT_FILTERS, *AGGREGATES})
        raise NetcoreError(
            400, f"unknown event {unknown[0]!r}; one of {', '.join(known)}", "events"
        )
    return frozenset(s for n in names for s in EVENT_FILTERS[n])


def _zip(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _validate(settings: NetcoreSettings) -> None:
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
