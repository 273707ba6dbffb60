"""Netcore's Download Logs jobs (ASSUMPTION, PROVIDERS.md 3.5; docs/CONTRACTS.md 6.1):
`POST /logs/download` fixes the rows at request time; `GET /logs/download/{id}` answers
`processing` for `download_polls` polls, then `completed` with a `url` that carries its own token;
the file is the logs CSV (sandbox.netcore.rows), a ZIP of it with `zip_downloads`. Jobs live
`download_ttl_hours` of world-clock time. Shares the simulator's lock, and reads its current
settings (faults are counted down here).

A job keeps the selection (row numbers and their state at the request), not rendered rows; a file
of more than `STREAM_FROM` rows is rendered (and zipped) in chunks while it is sent (chunked
transfer encoding, constant server memory), a smaller one whole with a Content-Length, as
before. A streamed ZIP carries a data descriptor (the CSV inside is the same bytes); the
truncation fault then cuts the stream after half its bytes, counted in a first rendering."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.clock import Clock
from sandbox.netcore.render import zip_one, zip_stream
from sandbox.netcore.rows import Selection, csv_chunks
from sandbox.netcore.settings import NetcoreError, NetcoreSettings
from sandbox.netcore.store import NetcoreWorld
from sandbox.timeutil import HOUR_MS
from sandbox.web import Request, Response, json_response

logger = logging.getLogger(__name__)

STREAM_FROM = 20_000  # rows: a larger file is streamed in chunks
ZIP64_FROM = 3_000_000  # rows: a streamed ZIP this large may pass 2 GiB (zip64 sizes)


@dataclass
class _Download:
    rows: Selection
    created_ms: int
    token: str
    polls: int = 0


class LogDownloads:
    """The Download Logs jobs of one simulator mounted at `/<prefix>`."""

    def __init__(
        self,
        prefix: str,
        clock: Clock,
        world: NetcoreWorld,
        settings: Callable[[], NetcoreSettings],
        lock: threading.Lock,
    ) -> None:
        self.prefix, self.clock, self._settings, self._lock = prefix, clock, settings, lock
        self.world = world
        self._jobs: dict[str, _Download] = {}

    def request(self, rows: Selection) -> Response:
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
        name = f"netcore_logs_{download_id}"
        zipped = settings.zip_downloads
        if zipped:
            content_type, filename = "application/zip", f"{name}.zip"
        else:
            content_type, filename = "text/csv; charset=utf-8", f"{name}.csv"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if len(download.rows) <= STREAM_FROM:
            data = b"".join(self._csv(download))
            if zipped:
                data = zip_one(f"{name}.csv", data)
            response = Response(200, data, content_type, headers)
            if truncate:
                response.truncate_to = len(data) // 2
            return response
        response = Response(
            200, b"", content_type, headers, chunks=self._file(download, name, zipped)
        )
        if truncate:
            response.truncate_to = sum(len(c) for c in self._file(download, name, zipped)) // 2
        return response

    def _csv(self, download: _Download) -> Iterator[bytes]:
        return csv_chunks(self.world, download.rows)

    def _file(self, download: _Download, name: str, zipped: bool) -> Iterator[bytes]:
        if not zipped:
            return self._csv(download)
        zip64 = len(download.rows) >= ZIP64_FROM
        return zip_stream(f"{name}.csv", self._csv(download), zip64)
