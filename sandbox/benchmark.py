"""Benchmark Email simulator (new v1 REST API), mounted at `/benchmark` (PROVIDERS.md section 4,
docs/CONTRACTS.md 7.1, the official OpenAPI `../shared/api/benchmark-email-openapi.json`).

Routes (paths below the prefix), `GET` unless marked, all with an `X-API-Key` header:

| route | scope |
|---|---|
| `POST /api/contact/search` (JSON body `page`, `size`, `sort`: sandbox.benchmark_contacts) | contacts:read |
| `/api/email/campaign` (`page`, `size` ≤ 100, `statuses`, `sort`, `criteria` ≤ 50 chars) | campaigns:read |
| `/api/email/campaign/{campaignId}` (the list's record; a superset of the spec's detail fields) | campaigns:read |
| `/api/contact/events` (`types` comma-joined, `pastDays` 1–90 default 30, `page`, `size`) | contacts:read |
| `/api/reports/dashboard`, `/api/reports/email/overall` (`pastDays` required, `timezone`) | reports:read |
| `/api/reports/email/overall/histogram` (`pastDays`, `eventType` required, `timezone`) | reports:read |
| `/api/reports/email/{id}`, `/api/reports/email/{id}/engagement` (`period`, `timezone`) | reports:read |

Keys: `bme_sandbox_all` (every scope) and `bme_sandbox_noreports` (all but `reports:read`);
any other key → 401 `UnauthorizedError`, a missing scope → 403 `ForbiddenError`, a known route
with another method → 405 `MethodNotAllowedError`. Errors use the
envelope `{"errors": [{"errorType", "message"[, "field"]}]}`. Every authenticated response carries
`X-RateLimit-Limit/Remaining/Reset` and `X-Monthly-Limit/Remaining`; over the hourly limit (or
with the `rate_limit_next` fault) → 429 `TooManyRequestsError` with `Retry-After` (seconds).
The rate window runs on the wall clock (so a test can wait it out); data use the world clock.

ASSUMPTIONS (PROVIDERS 4.4/4.7): page size default 25, max 100 (both endpoints); `statuses` takes
one value or a comma-joined list; default sort `createdAt:desc`, campaigns without `scheduledAt`
sort last; `criteria` matches name or subject, case-insensitive; contact events are served newest
first; `pastDays` of contact events selects `timestamp >= clock - N×24 h`.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox import benchmark_reports as reports
from sandbox.benchmark_contacts import SearchError, parse_search, search
from sandbox.benchmark_events import EVENT_TYPES, BmeCampaign, BmeEvent
from sandbox.benchmark_truth import Digest, benchmark_truth, campaign_record, campaign_report
from sandbox.overall_truth import benchmark_campaigns, overall_truth
from sandbox.paging import PageCap
from sandbox.report_pairs import benchmark_pairs
from sandbox.report_periods import ALIGNMENTS
from sandbox.report_truth import report_params, report_truth
from sandbox.timeutil import DAY_MS, add_months
from sandbox.web import Request, Response, json_response, merge_settings
from sandbox.world import World

logger = logging.getLogger(__name__)

SCOPES = (
    "contacts:read",
    "contacts:write",
    "campaigns:read",
    "campaigns:write",
    "reports:read",
    "domains:read",
)
KEYS = {
    "bme_sandbox_all": frozenset(SCOPES),
    "bme_sandbox_noreports": frozenset(SCOPES) - {"reports:read"},
}
STATUSES = ("scheduled", "sent", "draft", "sending", "paused", "failed", "cancelled")
SORT_PATTERN = re.compile(r"^[a-zA-Z0-9_]+:(asc|desc)$")
SORT_FIELDS = ("name", "createdAt", "updatedAt", "scheduledAt")
MAX_CRITERIA = 50


@dataclass
class BenchmarkSettings:
    """Faults, limits and protocol ASSUMPTIONS (`POST /_sandbox/faults {"benchmark": {...}}`)."""

    rate_limit_next: int = 0  # the next n calls → 429 TooManyRequestsError
    server_error_next: int = 0  # the next n calls → 503
    retry_after_seconds: int = 1  # Retry-After of the injected 429
    hourly_limit: int = 3600  # requests per window (DOC: 3,600 per hour per account)
    rate_window_seconds: float = 3600.0  # the window's length (shorten it in tests)
    monthly_limit: int = 100_000  # ASSUMPTION: contact limit × 10 in production
    default_page_size: int = 25
    max_page_size: int = 100
    # ASSUMPTION: how dashboard/overall/histogram cut `pastDays` (sandbox.report_periods):
    # `calendar` (whole local days, or hours for pastDays=1, as the OpenAPI examples) | `rolling`
    report_period_alignment: str = "calendar"
    # Paging faults (docs/CONTRACTS.md, "Paging to the end") on the campaign list, contact
    # events and contact search: at most `page_size_cap` records per page (0 = off), silently;
    # page offsets from the size asked instead of the size served; totals that count records
    # never served.
    page_size_cap: int = 0
    page_offsets_from_asked_size: bool = False
    total_overstated_by: int = 0


class BenchmarkError(Exception):
    """An error in Benchmark's envelope."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_type}: {message}")
        self.status, self.error_type, self.message, self.field = status, error_type, message, field
        self.headers = dict(headers or {})

    def response(self) -> Response:
        error: dict[str, str] = {"errorType": self.error_type, "message": self.message}
        if self.field:
            error["field"] = self.field
        return json_response(self.status, {"errors": [error]}, self.headers)


def _invalid(field: str, message: str) -> BenchmarkError:
    return BenchmarkError(400, "ValidationError", message, field)


Handler = Callable[[Request, list[str]], Any]


class BenchmarkSimulator:
    """The Benchmark Email v1 API over one `World`; thread-safe."""

    prefix = "benchmark"

    def __init__(self, world: World, settings: BenchmarkSettings | None = None) -> None:
        self.world = world
        self.settings = settings or BenchmarkSettings()
        self._lock = threading.Lock()
        self._window_start = time.time()
        self._window_used = 0
        self._monthly_used = 0
        self._digest: Digest | None = None
        self._events_cache: tuple[tuple[int, int, tuple[str, ...]], list[BmeEvent]] | None = None
        get, post = "GET", "POST"
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = [
            (get, re.compile(r"/api/email/campaign"), "campaigns:read", self._campaigns),
            (get, re.compile(r"/api/email/campaign/([^/]+)"), "campaigns:read", self._campaign),
            (get, re.compile(r"/api/contact/events"), "contacts:read", self._contact_events),
            (post, re.compile(r"/api/contact/search"), "contacts:read", self._contact_search),
            (get, re.compile(r"/api/reports/dashboard"), "reports:read", self._dashboard),
            (get, re.compile(r"/api/reports/email/overall"), "reports:read", self._overall),
            (
                get,
                re.compile(r"/api/reports/email/overall/histogram"),
                "reports:read",
                self._histogram,
            ),
            (get, re.compile(r"/api/reports/email/([^/]+)"), "reports:read", self._report),
            (
                get,
                re.compile(r"/api/reports/email/([^/]+)/engagement"),
                "reports:read",
                self._engagement,
            ),
        ]

    # -- Provider protocol --------------------------------------------------------------------

    def get_faults(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self.settings)

    def set_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            candidate = replace(self.settings)
            merge_settings(candidate, changes)
            if candidate.max_page_size < 1 or candidate.default_page_size < 1:
                raise ValueError("page sizes must be at least 1")
            if candidate.rate_window_seconds <= 0:
                raise ValueError("rate_window_seconds must be positive")
            if candidate.report_period_alignment not in ALIGNMENTS:
                raise ValueError(f"report_period_alignment must be one of {ALIGNMENTS}")
            self.settings = candidate
            self._window_used = 0  # a new limit starts a new window
            self._window_start = time.time()
        logger.info("benchmark faults now %s", self.get_faults())
        return self.get_faults()

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        digest = self.digest()
        params = report_params(query, digest.now_ms)
        pairs = benchmark_pairs(digest)
        return {
            **benchmark_truth(digest),
            **report_truth(pairs, params, digest.created),
            **overall_truth(pairs, benchmark_campaigns(digest), params),
            "unmapped_event_types": [],  # no such surprise here (sandbox.surprises)
        }

    def handle(self, request: Request) -> Response:
        """Dispatch one request (path relative to `/benchmark`)."""
        headers: dict[str, str] = {}
        try:
            scopes = KEYS.get((request.headers.get("X-API-Key") or "").strip())
            if scopes is None:
                raise BenchmarkError(401, "UnauthorizedError", "Invalid API key")
            headers = self._count_request()
            path, method = request.path.rstrip("/") or "/", request.method
            for route_method, pattern, scope, handler in self._routes:
                match = pattern.fullmatch(path)
                if match is None or route_method != method:
                    continue
                if scope not in scopes:
                    raise BenchmarkError(
                        403, "ForbiddenError", f"API key missing required scope: {scope}"
                    )
                return json_response(200, handler(request, list(match.groups())), headers)
            if any(pattern.fullmatch(path) for _, pattern, _, _ in self._routes):
                raise BenchmarkError(405, "MethodNotAllowedError", f"{method} not allowed")
            raise BenchmarkError(404, "NotFoundError", f"Route not found: {method} {request.path}")
        except BenchmarkError as error:
            error.headers = {**headers, **error.headers}
            return error.response()

    # -- cross-cutting --------------------------------------------------------------------------

    def _count_request(self) -> dict[str, str]:
        """Apply faults and limits to one authenticated request; its rate-limit headers."""
        with self._lock:
            settings = self.settings
            if settings.server_error_next:
                settings.server_error_next -= 1
                raise BenchmarkError(
                    503, "ServiceUnavailableError", "Service temporarily unavailable"
                )
            now = time.time()
            if now - self._window_start >= settings.rate_window_seconds:
                self._window_start, self._window_used = now, 0
            reset = self._window_start + settings.rate_window_seconds
            wait = max(1, math.ceil(reset - now))
            if settings.rate_limit_next:
                settings.rate_limit_next -= 1
                wait = settings.retry_after_seconds
                raise self._too_many("Rate limit exceeded (injected)", wait)
            if self._window_used >= settings.hourly_limit:
                raise self._too_many(
                    f"Rate limit exceeded: {settings.hourly_limit} requests per window", wait
                )
            if self._monthly_used >= settings.monthly_limit:
                raise self._too_many("Monthly API quota exceeded", self._seconds_to_next_month())
            self._window_used += 1
            self._monthly_used += 1
            return {
                "X-RateLimit-Limit": str(settings.hourly_limit),
                "X-RateLimit-Remaining": str(settings.hourly_limit - self._window_used),
                "X-RateLimit-Reset": str(math.ceil(reset)),
                "X-Monthly-Limit": str(settings.monthly_limit),
                "X-Monthly-Remaining": str(settings.monthly_limit - self._monthly_used),
            }

    @staticmethod
    def _too_many(message: str, retry_after: int) -> BenchmarkError:
        return BenchmarkError(
            429, "TooManyRequestsError", message, headers={"Retry-After": str(retry_after)}
        )

    def _seconds_to_next_month(self) -> int:
        now = self.world.now
        first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return max(1, int((add_months(first, 1) - now).total_seconds()))

    def digest(self) -> Digest:
        """The world digested at the clock (cached per clock value)."""
        now_ms = self.world.now_ms
        with self._lock:
            digest = self._digest
        if digest is None or digest.now_ms != now_ms:
            digest = Digest(self.world.benchmark, now_ms)
            with self._lock:
                self._digest = digest
        return digest

    def _campaign_of(self, campaign_id: str) -> BmeCampaign:
        campaign = self.world.benchmark.by_id.get(campaign_id)
        if campaign is None:
            raise BenchmarkError(404, "RecordNotFound", f"Email campaign {campaign_id} not found")
        return campaign

    # -- campaigns ------------------------------------------------------------------------------

    def _campaigns(self, request: Request, _: list[str]) -> dict[str, Any]:
        query = request.query
        page, size = self._paging(query)
        statuses = _statuses(query.get("statuses"))
        field, descending = _sort(query.get("sort"))
        criteria = query.get("criteria", "")
        if len(criteria) > MAX_CRITERIA:
            raise _invalid("criteria", f"criteria must be at most {MAX_CRITERIA} characters")
        digest = self.digest()
        records = [campaign_record(digest, c) for c in self.world.benchmark.campaigns]
        if statuses:
            records = [r for r in records if r["status"] in statuses]
        if criteria:
            needle = criteria.lower()
            records = [
                r for r in records if needle in r["name"].lower() or needle in r["subject"].lower()
            ]
        present = [r for r in records if r.get(field) is not None]
        present.sort(key=lambda r: (r[field], r["_id"]), reverse=descending)
        records = present + [r for r in records if r.get(field) is None]
        return {"total": self._total(len(records)), "records": records[self._cap.page(page, size)]}

    def _campaign(self, _: Request, groups: list[str]) -> dict[str, Any]:
        return campaign_record(self.digest(), self._campaign_of(groups[0]))

    @property
    def _cap(self) -> PageCap:
        settings = self.settings
        return PageCap(settings.page_size_cap, settings.page_offsets_from_asked_size)

    def _total(self, served: int) -> int:
        """The total a listing reports for ``served`` records (fault `total_overstated_by`)."""
        return served + self.settings.total_overstated_by

    def _paging(self, query: Mapping[str, str]) -> tuple[int, int]:
        settings = self.settings
        page = _integer(query, "page", 1, minimum=1)
        size = _integer(query, "size", settings.default_page_size, minimum=1)
        if size > settings.max_page_size:
            raise _invalid("size", f"size must be at most {settings.max_page_size}")
        return page, size

    # -- contact events -------------------------------------------------------------------------

    def _contact_events(self, request: Request, _: list[str]) -> dict[str, Any]:
        query = request.query
        page, size = self._paging(query)
        past_days = _past_days(query, required=False)
        types: tuple[str, ...] = ()
        if query.get("types"):
            types = tuple(sorted({t.strip() for t in query["types"].split(",") if t.strip()}))
            unknown = [t for t in types if t not in EVENT_TYPES]
            if unknown:
                raise _invalid("types", f"unknown event type(s) {unknown}; allowed: {EVENT_TYPES}")
        events = self._events(self.world.now_ms, past_days, types)
        page_events = events[self._cap.page(page, size)]
        return {"total": self._total(len(events)), "records": [e.record() for e in page_events]}

    def _events(self, now_ms: int, past_days: int, types: tuple[str, ...]) -> list[BmeEvent]:
        """Visible events of the window, newest first (cached for paging)."""
        key = (now_ms, past_days, types)
        with self._lock:
            if self._events_cache is not None and self._events_cache[0] == key:
                return self._events_cache[1]
        since = now_ms - past_days * DAY_MS
        events = [
            e
            for e in self.world.benchmark.events
            if e.available_ms < now_ms and e.at_ms >= since and (not types or e.type in types)
        ]
        events.sort(key=lambda e: (e.at_ms, e.seq), reverse=True)
        with self._lock:
            self._events_cache = (key, events)
        return events

    def _contact_search(self, request: Request, _: list[str]) -> dict[str, Any]:
        settings = self.settings
        try:
            page, size, descending = parse_search(
                request.body, settings.default_page_size, settings.max_page_size
            )
        except SearchError as error:
            raise _invalid(error.field, error.message) from None
        found = search(self.digest(), self._cap.page(page, size), descending)
        return {**found, "totalRecords": self._total(found["totalRecords"])}

    # -- reports --------------------------------------------------------------------------------

    def _alignment(self) -> str:
        with self._lock:
            return self.settings.report_period_alignment

    def _dashboard(self, request: Request, _: list[str]) -> dict[str, Any]:
        past_days, zone = _past_days(request.query, required=True), _zone(request.query)
        return reports.dashboard(self.digest(), past_days, zone, self._alignment())

    def _overall(self, request: Request, _: list[str]) -> dict[str, Any]:
        past_days, zone = _past_days(request.query, required=True), _zone(request.query)
        return reports.overall(self.digest(), past_days, zone, self._alignment())

    def _histogram(self, request: Request, _: list[str]) -> dict[str, Any]:
        query = request.query
        past_days, zone = _past_days(query, required=True), _zone(query)
        event_type = query.get("eventType")
        if not event_type:
            raise _invalid("eventType", "eventType is required")
        if event_type not in reports.HISTOGRAM_TYPES:
            raise _invalid(
                "eventType", f"eventType must be one of {', '.join(reports.HISTOGRAM_TYPES)}"
            )
        return reports.histogram(self.digest(), event_type, past_days, zone, self._alignment())

    def _report(self, _: Request, groups: list[str]) -> dict[str, Any]:
        return campaign_report(self.digest(), self._campaign_of(groups[0]))

    def _engagement(self, request: Request, groups: list[str]) -> dict[str, Any]:
        campaign = self._campaign_of(groups[0])
        period = request.query.get("period") or "24hours"
        if period not in reports.PERIODS:
            raise _invalid("period", f"period must be one of {', '.join(reports.PERIODS)}")
        return reports.engagement(self.digest(), campaign, period, _zone(request.query))


# -- parameter parsing --------------------------------------------------------------------------


def _integer(query: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d+", raw.strip()):
        raise _invalid(name, f"{name} must be an integer")
    value = int(raw)
    if value < minimum:
        raise _invalid(name, f"{name} must be at least {minimum}")
    return value


def _past_days(query: Mapping[str, str], *, required: bool) -> int:
    if required and not query.get("pastDays"):
        raise _invalid("pastDays", "pastDays is required (1-90)")
    value = _integer(query, "pastDays", 30, minimum=1)
    if value > 90:
        raise _invalid("pastDays", "pastDays must be between 1 and 90")
    return value


def _zone(query: Mapping[str, str]) -> ZoneInfo:
    name = query.get("timezone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid("timezone", f"timezone {name!r} is not an IANA timezone code") from None


def _statuses(raw: str | None) -> set[str]:
    if not raw:
        return set()
    values = {v.strip() for v in raw.split(",") if v.strip()}
    unknown = sorted(values - set(STATUSES))
    if unknown:
        raise _invalid("statuses", f"statuses must be one of {', '.join(STATUSES)}")
    return values


def _sort(raw: str | None) -> tuple[str, bool]:
    if not raw:
        return "createdAt", True
    if not SORT_PATTERN.fullmatch(raw):
        raise _invalid("sort", "sort must match ^[a-zA-Z0-9_]+:(asc|desc)$")
    field, direction = raw.split(":")
    if field not in SORT_FIELDS:
        raise _invalid("sort", f"sort field must be one of {', '.join(SORT_FIELDS)}")
    return field, direction == "desc"
