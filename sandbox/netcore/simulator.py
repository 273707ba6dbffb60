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
key; the ASSUMPTIONS of the contract are settings too. Parameters: sandbox.netcore.query; answers:
sandbox.netcore.render; Download Logs: sandbox.netcore.downloads.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from sandbox.clock import Clock
from sandbox.netcore import truth
from sandbox.netcore.downloads import LogDownloads
from sandbox.netcore.localtime import local_seconds
from sandbox.netcore.model import local_day_bounds
from sandbox.netcore.query import Query, date_param, int_param, parse_query, text_param
from sandbox.netcore.render import events_body, stats_bucket
from sandbox.netcore.rows import Selection, json_rows
from sandbox.netcore.select import select
from sandbox.netcore.settings import CREDENTIALS, NetcoreError, NetcoreSettings, validate
from sandbox.netcore.states import States, states_at
from sandbox.netcore.stats import grouped_stats
from sandbox.netcore.store import NetcoreWorld
from sandbox.paging import PageCap
from sandbox.web import Request, Response, json_response, merged_settings, visible_settings

logger = logging.getLogger(__name__)

VERSIONS = ("v5.1", "v6")
ROUTE = re.compile(
    r"/(?P<version>v5\.1|v6)/(?P<what>events|stats|logs/download)"
    r"(?:/(?P<download>[A-Za-z0-9_-]+)(?P<file>/file)?)?"
)


@dataclass
class _Scroll:
    rows: Selection
    position: int
    limit: int
    created: float


class NetcoreSimulator:
    """The Netcore events, stats and download-logs API over Netcore's part of the world at the
    world clock; thread-safe."""

    prefix = "netcore"

    def __init__(
        self, clock: Clock, world: NetcoreWorld, settings: NetcoreSettings | None = None
    ) -> None:
        self.clock, self.world = clock, world
        self.settings = settings or NetcoreSettings()
        validate(self.settings)
        self._scrolls: dict[str, _Scroll] = {}
        self._lock = threading.Lock()
        self.downloads = LogDownloads(self.prefix, clock, world, lambda: self.settings, self._lock)

    # -- Provider protocol --------------------------------------------------------------------

    def get_faults(self) -> dict[str, Any]:
        with self._lock:
            return visible_settings(self.settings, exclude=CREDENTIALS)

    def set_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.settings = merged_settings(
                self.settings, changes, exclude=CREDENTIALS, validate=validate
            )
        logger.info("netcore faults now %s", self.get_faults())
        return self.get_faults()

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        settings = self.settings
        return truth.truth(
            self.world,
            self.clock.now_ms,
            self._zone(),
            query,
            settings.unknown_status,
            settings.unknown_status_every,
        )

    def handle(self, request: Request) -> Response:
        """Dispatch one request (path relative to `/netcore`)."""
        try:
            match = ROUTE.fullmatch(request.path)
            if match is None:
                raise NetcoreError(404, f"Not found: {request.path}", code="not_found")
            what, download_id = match["what"], match["download"]
            if what == "logs/download" and download_id and match["file"]:
                return self.downloads.file(request, download_id)  # signed URL: no key needed
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
                return self.downloads.status(request, match["version"], download_id)
            return self._request_download(request)
        except NetcoreError as error:
            return error.response()

    # -- cross-cutting --------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def _today(self) -> date:
        return datetime.fromtimestamp(self.clock.now_ms / 1000, self._zone()).date()

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

    def _select(self, query: Query) -> Selection:
        settings = self.settings
        return select(
            self.world,
            query,
            self.clock.now_ms,
            self._zone(),
            settings.unknown_status_every,
            settings.unknown_status,
        )

    def _events(self, params: Mapping[str, str]) -> Response:
        settings = self.settings
        limit = int_param(
            params.get("limit"), "limit", settings.default_limit, 1, settings.max_limit
        )
        scroll_id = text_param(params.get("scrollid"))
        if scroll_id:
            return self._scroll(scroll_id, limit if params.get("limit") else None)
        offset = int_param(params.get("offset"), "offset", 0, 0, settings.max_offset)
        rows = self._select(self._query(params))
        cap = self._cap()
        page = _within(cap.at(offset, limit), len(rows))
        next_id = self._open_scroll(rows, offset + cap.advance(limit), limit) if page else None
        return self._events_page(rows, page, next_id)

    def _open_scroll(self, rows: Selection, position: int, limit: int) -> str:
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
            page = _within(cap.at(scroll.position, size), len(scroll.rows))
            scroll.position += cap.advance(size)
            scroll.created = time.monotonic()
            if not page:
                del self._scrolls[scroll_id]
        return self._events_page(scroll.rows, page, scroll_id if page else None)

    def _cap(self) -> PageCap:
        settings = self.settings
        return PageCap(settings.page_size_cap, settings.page_offsets_from_asked_size)

    def _events_page(self, rows: Selection, page: range, scroll: str | None) -> Response:
        """The events page of rows `page` of the selection (JSON assembled from fragments)."""
        data = json_rows(self.world, rows, slice(page.start, page.stop))
        body = events_body(data, len(rows) + self.settings.total_overstated_by, scroll)
        return Response(200, body.encode("utf-8"), "application/json")

    # -- stats ----------------------------------------------------------------------------------

    def _stats(self, params: Mapping[str, str]) -> Response:
        startdate = text_param(params.get("startdate"))
        if not startdate:
            raise NetcoreError(400, "startdate is required", "startdate", "missing_parameter")
        start = date_param(startdate, "startdate")
        today = self._today()
        end = date_param(text_param(params.get("enddate")) or today.isoformat(), "enddate")
        if end < start:
            raise NetcoreError(400, "enddate must not be before startdate", "enddate")
        period = (text_param(params.get("aggregated_by")) or "day").lower()
        if period not in ("day", "week", "month"):
            raise NetcoreError(400, "aggregated_by must be day, week or month", "aggregated_by")
        limit = int_param(params.get("limit"), "limit", 100, 1, self.settings.stats_max_limit)
        page = int_param(params.get("offset"), "offset", 1, 1, 1_000_000)
        zone, now_ms = self._zone(), self.clock.now_ms
        last = min(end, today)
        buckets: dict[str, int] = {}  # entry date -> group, in day order
        day = start
        while day <= last:
            buckets.setdefault(stats_bucket(day, period), len(buckets))
            day += timedelta(days=1)
        states = States.empty()
        group = np.zeros(0, np.int64)
        if start <= last:
            start_s, end_s = local_day_bounds(start.isoformat(), last.isoformat(), zone)
            states = states_at(self.world, now_ms, start_s, end_s)
            days = local_seconds(self.world.requested_s[states.rows], zone) // 86_400
            unique, inverse = np.unique(days, return_inverse=True)
            epoch = date(1970, 1, 1)
            groups = [buckets[stats_bucket(epoch + timedelta(days=int(d)), period)] for d in unique]
            group = np.array(groups, np.int64)[inverse]
        counts = grouped_stats(
            self.world, states, group, len(buckets), self.settings.stats_plain_bounces
        )
        entries = [{"date": key, "stats": counts[g]} for key, g in buckets.items()]
        chunk = entries[self._cap().page(page, limit)]
        return json_response(200, {"status": "success", "message": "OK", "data": chunk})

    def _query(self, params: Mapping[str, Any]) -> Query:
        return parse_query(params, self._today(), self.settings.retention_days)

    def _request_download(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise NetcoreError(400, "the request body is not valid JSON", "body") from None
        if not isinstance(body, dict):
            raise NetcoreError(400, "the request body must be a JSON object", "body")
        return self.downloads.request(self._select(self._query(body)))


def _within(part: slice, total: int) -> range:
    """The rows of a page slice that exist."""
    return range(total)[part]
