"""Netcore's Download Logs jobs (ASSUMPTION, PROVIDERS.md 3.5; docs/CONTRACTS.md 6.1):
`POST /logs/download` fixes the rows at request time; `GET /logs/download/{id}` answers
`processing` for `download_polls` polls, then `completed` with a `url` that carries its own token;
the file is the logs CSV (sandbox.netcore.render), a ZIP of it with `zip_downloads`. Jobs live
`download_ttl_hours` of world-clock time. Shares the simulator's lock, and reads its current
settings (faults are counted down here)."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.clock import Clock
from sandbox.netcore.render import render_csv, zip_one
from sandbox.netcore.settings import NetcoreError, NetcoreSettings
from sandbox.timeutil import HOUR_MS
from sandbox.web import Request, Response, json_response

logger = logging.getLogger(__name__)


@dataclass
class _Download:
    rows: list[dict[str, Any]]
    created_ms: int
    token: str
    polls: int = 0


class LogDownloads:
    """The Download Logs jobs of one simulator mounted at `/<prefix>`."""

    def __init__(
        self,
        prefix: str,
        clock: Clock,
        settings: Callable[[], NetcoreSettings],
        lock: threading.Lock,
    ) -> None:
        self.prefix, self.clock, self._settings, self._lock = prefix, clock, settings, lock
        self._jobs: dict[str, _Download] = {}

    def request(self, rows: list[dict[str, Any]]) -> Response:
        """`POST /logs/download` with the rows its filters select → 202 and a `download_id`."""
        now_ms = self.clock.now_ms
        with self._lock:
            ttl_ms = self._settings().download_ttl_hours * HOUR_MS
            for key in [k for k, d in self._jobs.items() if now_ms - d.created_ms > ttl_ms]:
                del self._jobs[key]
            download_id = secrets.token_hex(12)
            self._jobs[download_id] = _Download(rows, now_ms, secrets.token_urlsafe(16))
        logger.info("netcore logs download %s: %d rows", download_id, len(rows))
        return json_response(
            202,
            {
                "status": "success",
                "message": "Request accepted",
                "data": {"download_id": download_id},
            },
        )

    def _find(self, download_id: str) -> _Download:
        download = self._jobs.get(download_id)
        ttl_ms = self._settings().download_ttl_hours * HOUR_MS
        if download is None or self.clock.now_ms - download.created_ms > ttl_ms:
            raise NetcoreError(404, "Download not found or expired", "download_id", "not_found")
        return download

    def status(self, request: Request, version: str, download_id: str) -> Response:
        """`GET /logs/download/{id}`: `processing`, then `completed` with the file's URL."""
        settings = self._settings()
        with self._lock:
            download = self._find(download_id)
            download.polls += 1
            ready = download.polls > settings.download_polls
        data: dict[str, Any] = {"download_id": download_id}
        if ready:
            data["status"] = "completed"
            data["url"] = (
                f"{request.base_url}/{self.prefix}/{version}/logs/download/{download_id}/file"
                f"?token={download.token}"
            )
            data["rows"] = len(download.rows) + settings.download_rows_overstated_by
        else:
            data["status"] = "processing"
        return json_response(200, {"status": "success", "data": data})

    def file(self, request: Request, download_id: str) -> Response:
        """`GET <url>`: the logs file, authorised by its token (faults: reset, truncate)."""
        if request.method != "GET":
            raise NetcoreError(405, f"Method {request.method} not allowed", code="405")
        with self._lock:
            download = self._find(download_id)
            if not secrets.compare_digest(request.query.get("token", ""), download.token):
                raise NetcoreError(403, "Invalid download token", "token", "403")
            settings = self._settings()
            if settings.reset_downloads > 0:
                settings.reset_downloads -= 1
                return Response(200, reset=True)
            truncate = settings.truncate_downloads > 0
            if truncate:
                settings.truncate_downloads -= 1
        data = render_csv(download.rows)
        name = f"netcore_logs_{download_id}"
        if settings.zip_downloads:
            data, content_type = zip_one(f"{name}.csv", data), "application/zip"
            name = f"{name}.zip"
        else:
            content_type, name = "text/csv; charset=utf-8", f"{name}.csv"
        response = Response(
            200, data, content_type, {"Content-Disposition": f'attachment; filename="{name}"'}
        )
        if truncate:
            response.truncate_to = len(data) // 2
        return response
