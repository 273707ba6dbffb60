"""APSIS One export endpoints of the simulator (PROVIDERS.md 2.2, 2.3):

* `POST /emails/reports` → 201 `{"report_id"}` (content fixed now; rows counted in background).
* `GET /emails/reports/{report_id}[?header_auth=true]`: status, then a signed download URL.
* `GET /_files/{report_id}.csv.gz?expires=…&sig=…`: the gzip CSV, generated and compressed in
  chunks while it streams (sandbox.apsis_one.export_file; constant server memory).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.apsis_one.export import ExportJob, parse_export_request
from sandbox.apsis_one.export_file import ExportWriter
from sandbox.timeutil import from_ms, rfc3339
from sandbox.web import ProblemError, RateWindow, Request, Response, json_response

if TYPE_CHECKING:
    from sandbox.apsis_one.simulator import ApsisOneSimulator

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 100 * 1024  # DOC: request bodies are capped at 100 kB → 413
MAX_SECTIONS = 25  # DOC: an export "may" answer 413 when the account has more sections
FILE_TTL = timedelta(days=7)  # ASSUMPTION: how long a completed export stays downloadable
# A truncated download ("broken download" fault) stops after half the file, or after half of
# its first TRUNCATE_PROBE bytes when it is longer (the size of a streamed file is not known
# before it is sent).
TRUNCATE_PROBE = 1 << 20

Handler = Callable[[Request, re.Match[str]], Response]


class ExportHandlers:
    """The export jobs of one simulator, sharing its settings, signer, clock and lock."""

    def __init__(self, simulator: ApsisOneSimulator, lock: threading.Lock) -> None:
        self.sim, self._lock = simulator, lock
        self.jobs: dict[str, ExportJob] = {}
        self._window = RateWindow()

    def routes(self) -> list[tuple[str, re.Pattern[str], Handler, bool]]:
        """(method, path pattern, handler, needs a bearer token)."""
        return [
            ("POST", re.compile(r"/emails/reports"), self.request_export, True),
            ("GET", re.compile(r"/emails/reports/(?P<id>[^/]+)"), self.export_status, True),
            ("GET", re.compile(r"/_files/(?P<id>[^/]+)\.csv\.gz"), self.download, False),
        ]

    def request_export(self, request: Request, _: re.Match[str]) -> Response:
        """`POST /emails/reports` → 201 {"report_id"}; content fixed now, counted in background."""
        sim = self.sim
        if len(request.body) > MAX_BODY_BYTES:
            raise ProblemError(413, "Payload Too Large", f"the body exceeds {MAX_BODY_BYTES} bytes")
        if len(sim.world.sections) > MAX_SECTIONS:
            raise ProblemError(413, "Payload Too Large", f"more than {MAX_SECTIONS} sections")
        spec = parse_export_request(request.json(), sim.world, sim.clock.now)
        settings = sim.settings
        with self._lock:
            spec = replace(
                spec,
                unknown_event_every=settings.unknown_event_every,
                unknown_event_type=settings.unknown_event_type,
            )
            pending = sum(
                job.status(settings.status_delay_seconds) not in ("completed", "error")
                for job in self.jobs.values()
            )
            if pending >= settings.pending_export_limit:
                raise sim.too_many(f"{pending} exports are pending; the limit is reached", 1.0)
            wait = self._window.try_acquire(settings.exports_per_minute)
            if wait is not None:
                raise sim.too_many("export requests are limited per minute", wait)
            fail = None
            if settings.fail_next_exports:
                settings.fail_next_exports -= 1
                fail = "injected fault: the export failed (file too large)"
            job = ExportJob(str(uuid.uuid4()), spec, fail, settings.max_export_rows)
            self.jobs[job.report_id] = job
        threading.Thread(target=job.build, args=(sim.world,), daemon=True).start()
        logger.info(
            "apsis_one export %s requested for [%s, %s)", job.report_id, spec.start, spec.end
        )
        return json_response(201, {"report_id": job.report_id})

    def _job(self, report_id: str) -> ExportJob:
        job = self.jobs.get(report_id)
        if job is None:
            raise ProblemError(404, "Not Found", f"no export with report_id {report_id}")
        return job

    def export_status(self, request: Request, match: re.Match[str]) -> Response:
        """`GET /emails/reports/{report_id}[?header_auth=true]`: status, URL when completed."""
        sim = self.sim
        job = self._job(match["id"])
        with self._lock:
            if sim.settings.html_status_next:
                # what a proxy, captive portal or maintenance window answers instead of the API
                sim.settings.html_status_next -= 1
                page = b"<!DOCTYPE html><html><body><h1>Scheduled maintenance</h1></body></html>"
                return Response(200, page, "text/html; charset=utf-8")
        status = job.status(sim.settings.status_delay_seconds)
        body: dict[str, Any] = {
            "report_id": job.report_id,
            "status": status,
            "start_at": rfc3339(job.spec.start),
            "end_at": rfc3339(job.spec.end),
        }
        headers: dict[str, str] = {}
        if status == "error":
            body["error"] = job.error
        if status == "completed":
            ttl = sim.settings.download_url_ttl_seconds
            expires = int(time.time() + ttl)
            url = f"{request.base_url}/{sim.prefix}/_files/{job.report_id}.csv.gz?expires={expires}"
            if request.query.get("header_auth", "").lower() == "true":
                headers["x-apsis-auth"] = sim.signer.header_token(job.report_id, expires)
            else:
                url += f"&sig={sim.signer.url_signature(job.report_id, expires)}"
            # Reported on the world clock, like the Date header; enforced on the wall clock.
            now = sim.clock.now
            body["file_download_url"] = url
            body["file_download_url_expires_at"] = rfc3339(now + timedelta(seconds=ttl))
            body["file_expires_at"] = rfc3339(from_ms(job.spec.now_ms) + FILE_TTL)
        return json_response(200, body, headers)

    def download(self, request: Request, match: re.Match[str]) -> Response:
        """`GET file_download_url`: gzip bytes as application/octet-stream, no Content-Encoding,
        streamed in chunks (chunked transfer encoding)."""
        sim = self.sim
        report_id = match["id"]
        problem = sim.signer.download_problem(
            report_id,
            request.query.get("expires"),
            request.query.get("sig"),
            request.headers.get("x-apsis-auth"),
        )
        if problem:
            raise ProblemError(403, "Forbidden", problem)
        job = self._job(report_id)
        if job.status(sim.settings.status_delay_seconds) != "completed" or job.error:
            raise ProblemError(404, "Not Found", f"export {report_id} has no file")
        with self._lock:
            reset = truncate = False
            if sim.settings.reset_downloads:
                sim.settings.reset_downloads -= 1
                reset = True
            elif sim.settings.truncate_downloads:
                sim.settings.truncate_downloads -= 1
                truncate = True
        if reset:
            return Response(200, b"", "application/octet-stream", reset=True)
        chunks = ExportWriter(sim.world, job.spec).gzip_chunks()
        response = Response(200, b"", "application/octet-stream", chunks=chunks)
        if truncate:
            response.chunks, response.truncate_to = _probed(chunks)
        return response


def _probed(chunks: Iterator[bytes]) -> tuple[Iterator[bytes], int]:
    """The same stream, and where a broken download cuts it: half of the file, or half of its
    first TRUNCATE_PROBE bytes (generated ahead to know that much)."""
    ahead: list[bytes] = []
    size = 0
    for chunk in chunks:
        ahead.append(chunk)
        size += len(chunk)
        if size >= TRUNCATE_PROBE:
            break
    return itertools.chain(ahead, chunks), size // 2
