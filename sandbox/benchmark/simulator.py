"""Benchmark Email simulator (new v1 REST API), mounted at `/benchmark` (PROVIDERS.md section 4,
docs/CONTRACTS.md 7.1, the official OpenAPI `../shared/api/benchmark-email-openapi.json`).

Routes (paths below the prefix), `GET` unless marked, all with an `X-API-Key` header:

| route | scope |
|---|---|
| `POST /api/contact/search` (JSON body `page`, `size`, `sort`: sandbox.benchmark.contacts) | contacts:read |
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
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from sandbox.benchmark import reports, truth
from sandbox.benchmark.contacts import SearchError, parse_search, search
from sandbox.benchmark.digest import Digest
from sandbox.benchmark.limits import RequestLimits
from sandbox.benchmark.model import EVENT_TYPES, TYPE_CODE, BmeCampaign
from sandbox.benchmark.params import (
    MAX_CRITERIA,
    integer_param,
    past_days_param,
    sort_param,
    statuses_param,
    zone_param,
)
from sandbox.benchmark.records import campaign_record, campaign_report
from sandbox.benchmark.render import event_records, listing
from sandbox.benchmark.settings import KEYS, BenchmarkError, BenchmarkSettings, invalid
from sandbox.benchmark.store import BenchmarkWorld
from sandbox.clock import Clock
from sandbox.paging import PageCap
from sandbox.reports.periods import ALIGNMENTS
from sandbox.timeutil import DAY_MS
from sandbox.web import Request, Response, json_response, merged_settings, visible_settings

logger = logging.getLogger(__name__)

Handler = Callable[[Request, list[str]], Any]


class BenchmarkSimulator:
    """The Benchmark Email v1 API over Benchmark's part of the world at the world clock;
    thread-safe."""

    prefix = "benchmark"

    def __init__(
        self, clock: Clock, world: BenchmarkWorld, settings: BenchmarkSettings | None = None
    ) -> None:
        self.clock, self.world = clock, world
        self.settings = settings or BenchmarkSettings()
        self._lock = threading.Lock()
        self._limits = RequestLimits(clock, lambda: self.settings, self._lock)
        self._digest: Digest | None = None
        self._events_cache: tuple[tuple[int, int, tuple[str, ...]], np.ndarray] | None = None
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
            return visible_settings(self.settings)

    def set_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            candidate = merged_settings(self.settings, changes)
            if candidate.max_page_size < 1 or candidate.default_page_size < 1:
                raise ValueError("page sizes must be at least 1")
            if candidate.rate_window_seconds <= 0:
                raise ValueError("rate_window_seconds must be positive")
            if candidate.report_period_alignment not in ALIGNMENTS:
                raise ValueError(f"report_period_alignment must be one of {ALIGNMENTS}")
            self.settings = candidate
            self._limits.restart_window()
        logger.info("benchmark faults now %s", self.get_faults())
        return self.get_faults()

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        return truth.truth(self.digest(), query)

    def handle(self, request: Request) -> Response:
        """Dispatch one request (path relative to `/benchmark`)."""
        headers: dict[str, str] = {}
        try:
            scopes = KEYS.get((request.headers.get("X-API-Key") or "").strip())
            if scopes is None:
                raise BenchmarkError(401, "UnauthorizedError", "Invalid API key")
            headers = self._limits.count()
            path, method = request.path.rstrip("/") or "/", request.method
            for route_method, pattern, scope, handler in self._routes:
                match = pattern.fullmatch(path)
                if match is None or route_method != method:
                    continue
                if scope not in scopes:
                    raise BenchmarkError(
                        403, "ForbiddenError", f"API key missing required scope: {scope}"
                    )
                body = handler(request, list(match.groups()))
                if isinstance(body, bytes):  # JSON rendered already (sandbox.benchmark.render)
                    return Response(200, body, "application/json", headers)
                return json_response(200, body, headers)
            if any(pattern.fullmatch(path) for _, pattern, _, _ in self._routes):
                raise BenchmarkError(405, "MethodNotAllowedError", f"{method} not allowed")
            raise BenchmarkError(404, "NotFoundError", f"Route not found: {method} {request.path}")
        except BenchmarkError as error:
            error.headers = {**headers, **error.headers}
            return error.response()

    # -- cross-cutting --------------------------------------------------------------------------

    def digest(self) -> Digest:
        """The world digested at the clock (cached per clock value)."""
        now_ms = self.clock.now_ms
        with self._lock:
            digest = self._digest
        if digest is None or digest.now_ms != now_ms:
            digest = Digest(self.world, now_ms)
            with self._lock:
                self._digest = digest
        return digest

    def _campaign_of(self, campaign_id: str) -> BmeCampaign:
        campaign = self.world.by_id.get(campaign_id)
        if campaign is None:
            raise BenchmarkError(404, "RecordNotFound", f"Email campaign {campaign_id} not found")
        return campaign

    # -- campaigns ------------------------------------------------------------------------------

    def _campaigns(self, request: Request, _: list[str]) -> dict[str, Any]:
        query = request.query
        page, size = self._paging(query)
        statuses = statuses_param(query.get("statuses"))
        field, descending = sort_param(query.get("sort"))
        criteria = query.get("criteria", "")
        if len(criteria) > MAX_CRITERIA:
            raise invalid("criteria", f"criteria must be at most {MAX_CRITERIA} characters")
        digest = self.digest()
        records = [campaign_record(digest, c) for c in self.world.campaigns]
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
        page = integer_param(query, "page", 1, minimum=1)
        size = integer_param(query, "size", settings.default_page_size, minimum=1)
        if size > settings.max_page_size:
            raise invalid("size", f"size must be at most {settings.max_page_size}")
        return page, size

    # -- contact events -------------------------------------------------------------------------

    def _contact_events(self, request: Request, _: list[str]) -> bytes:
        query = request.query
        page, size = self._paging(query)
        past_days = past_days_param(query, required=False)
        types: tuple[str, ...] = ()
        if query.get("types"):
            types = tuple(sorted({t.strip() for t in query["types"].split(",") if t.strip()}))
            unknown = [t for t in types if t not in EVENT_TYPES]
            if unknown:
                raise invalid("types", f"unknown event type(s) {unknown}; allowed: {EVENT_TYPES}")
        events = self._events(self.clock.now_ms, past_days, types)
        records = event_records(self.world, events[self._cap.page(page, size)])
        return listing(f'{{"total": {self._total(len(events))}, "records": ', records, "}")

    def _events(self, now_ms: int, past_days: int, types: tuple[str, ...]) -> np.ndarray:
        """Visible events of the window, newest first (indices in generation order; cached for
        paging)."""
        key = (now_ms, past_days, types)
        with self._lock:
            if self._events_cache is not None and self._events_cache[0] == key:
                return self._events_cache[1]
        ev, order = self.world.events, self.world.order
        wanted = np.zeros(256, bool)
        wanted[[TYPE_CODE[t] for t in types] if types else slice(None)] = True
        mask = (ev.at + ev.delay < now_ms) & (ev.at >= now_ms - past_days * DAY_MS)
        mask &= wanted[ev.type]
        events = order[mask[order]][::-1]  # by (time, generation order), newest first
        with self._lock:
            self._events_cache = (key, events)
        return events

    def _contact_search(self, request: Request, _: list[str]) -> bytes:
        settings = self.settings
        try:
            page, size, descending = parse_search(
                request.body, settings.default_page_size, settings.max_page_size
            )
        except SearchError as error:
            raise invalid(error.field, error.message) from None
        page_slice = self._cap.page(page, size)
        return search(self.digest(), page_slice, descending, settings.total_overstated_by)

    # -- reports --------------------------------------------------------------------------------

    def _alignment(self) -> str:
        with self._lock:
            return self.settings.report_period_alignment

    def _dashboard(self, request: Request, _: list[str]) -> dict[str, Any]:
        past_days, zone = past_days_param(request.query, required=True), zone_param(request.query)
        return reports.dashboard(self.digest(), past_days, zone, self._alignment())

    def _overall(self, request: Request, _: list[str]) -> dict[str, Any]:
        past_days, zone = past_days_param(request.query, required=True), zone_param(request.query)
        return reports.overall(self.digest(), past_days, zone, self._alignment())

    def _histogram(self, request: Request, _: list[str]) -> dict[str, Any]:
        query = request.query
        past_days, zone = past_days_param(query, required=True), zone_param(query)
        event_type = query.get("eventType")
        if not event_type:
            raise invalid("eventType", "eventType is required")
        if event_type not in reports.HISTOGRAM_TYPES:
            raise invalid(
                "eventType", f"eventType must be one of {', '.join(reports.HISTOGRAM_TYPES)}"
            )
        return reports.histogram(self.digest(), event_type, past_days, zone, self._alignment())

    def _report(self, _: Request, groups: list[str]) -> dict[str, Any]:
        return campaign_report(self.digest(), self._campaign_of(groups[0]))

    def _engagement(self, request: Request, groups: list[str]) -> dict[str, Any]:
        campaign = self._campaign_of(groups[0])
        period = request.query.get("period") or "24hours"
        if period not in reports.PERIODS:
            raise invalid("period", f"period must be one of {', '.join(reports.PERIODS)}")
        return reports.engagement(self.digest(), campaign, period, zone_param(request.query))
