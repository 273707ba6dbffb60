"""The sandbox HTTP server: one loopback listener, providers mounted by URL prefix.

`SandboxServer(config).start()` builds the world, mounts every registered provider's simulator
(sandbox.providers) at `/<name>` and serves on a thread (`port=0` picks a free port; `.url` is the
base URL). Admin endpoints under `/_sandbox/` move the
world clock, set faults and report ground truth (docs/CONTRACTS.md section 1). Every response
carries a `Date` header with the world clock.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from collections.abc import Iterable
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.config import WorldConfig
from sandbox.providers import PROVIDERS
from sandbox.timeutil import parse_rfc3339, rfc3339
from sandbox.web import ProblemError, Provider, Request, Response, json_response
from sandbox.world import World

logger = logging.getLogger("sandbox")

MAX_REQUEST_BYTES = 10 * 1024 * 1024


class SandboxServer:
    """All simulators over one `World`, served on `host:port` from a background thread."""

    def __init__(
        self, config: WorldConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.world = World(config)
        self.providers: dict[str, Provider] = {
            name: plugin.simulator(self.world.clock, self.world.parts[name])
            for name, plugin in PROVIDERS.items()
        }
        self._httpd = _Server((host, port), _Handler)
        self._httpd.sandbox = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns self."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routing --------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Route one request (full path) to the admin API or a provider."""
        try:
            if request.path.startswith("/_sandbox/"):
                return self._admin(request)
            prefix, _, rest = request.path.lstrip("/").partition("/")
            provider = self.providers.get(prefix)
            if provider is None:
                known = ", ".join(f"/{p}" for p in self.providers)
                raise ProblemError(404, "Not Found", f"no provider at /{prefix}; known: {known}")
            request.path = "/" + rest
            return provider.handle(request)
        except ProblemError as problem:
            return problem.response()

    def _admin(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/_sandbox/health" and method == "GET":
            return json_response(
                200, {"status": "ok", "now": rfc3339(self.world.now), **self._sizes()}
            )
        if path == "/_sandbox/clock":
            if method == "POST":
                self._move_clock(request.json())
            return json_response(200, {"now": rfc3339(self.world.now)})
        if path == "/_sandbox/faults":
            if method == "POST":
                body = request.json()
                if not isinstance(body, dict):
                    raise ProblemError(400, "Bad Request", 'expected {"<provider>": {...}}')
                for name, changes in body.items():
                    provider = self._provider(name)
                    if not isinstance(changes, dict):
                        raise ProblemError(400, "Bad Request", f"{name}: expected an object")
                    try:
                        provider.set_faults(changes)
                    except ValueError as exc:
                        raise ProblemError(400, "Bad Request", f"{name}: {exc}") from None
            return json_response(200, {n: p.get_faults() for n, p in self.providers.items()})
        if path.startswith("/_sandbox/truth/") and method == "GET":
            provider = self._provider(path.rsplit("/", 1)[1])
            try:
                return json_response(200, provider.truth(request.query))
            except ValueError as exc:
                raise ProblemError(400, "Bad Request", str(exc)) from None
        raise ProblemError(404, "Not Found", f"no sandbox admin endpoint {method} {path}")

    def _provider(self, name: str) -> Provider:
        provider = self.providers.get(name)
        if provider is None:
            raise ProblemError(
                404, "Not Found", f"no provider {name!r}; known: {list(self.providers)}"
            )
        return provider

    def _move_clock(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise ProblemError(400, "Bad Request", 'expected {"advance_hours": n} or {"now": ...}')
        try:
            if "advance_hours" in body:
                hours = body["advance_hours"]
                if isinstance(hours, bool) or not isinstance(hours, int | float):
                    raise ValueError("advance_hours must be a number")
                self.world.advance(float(hours))
            elif "now" in body:
                self.world.set_now(parse_rfc3339(body["now"]))
            else:
                raise ValueError('expected {"advance_hours": n} or {"now": "<RFC 3339>"}')
        except ValueError as exc:
            raise ProblemError(400, "Bad Request", str(exc)) from None
        logger.info("world clock now %s", rfc3339(self.world.now))

    def _sizes(self) -> dict[str, Any]:
        summary = self.world.summary()
        return {k: summary.get(k) for k in ("seed", "sections", "recipients", "campaigns")}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: SandboxServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive responses are not held back ~40 ms

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(ProblemError(413, "Payload Too Large", "request too large").response())
            return
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = Request(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=self.headers,  # type: ignore[arg-type]  # case-insensitive Message
            body=body,
            base_url=f"http://{host}",
        )
        try:
            response = sandbox.dispatch(request)
        except Exception:  # a simulator bug answers 500 and is logged, never kills the server
            logger.exception("sandbox error on %s %s", self.command, split.path)
            response = json_response(
                500, {"title": "Internal Server Error", "status": 500, "detail": "sandbox bug"}
            )
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.reset:
            # SO_LINGER 0: closing sends an RST instead of a FIN, before any byte of an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        if response.chunks is not None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.truncate_to is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if response.chunks is not None:
            self._send_chunks(response.chunks, response.truncate_to)
            return
        body = response.body
        if response.truncate_to is not None:
            body = body[: response.truncate_to]
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send_chunks(self, chunks: Iterable[bytes], truncate_to: int | None) -> None:
        """Chunked transfer encoding, one generated chunk at a time; a truncated stream ends
        without its last chunk and closes (the client sees an incomplete body)."""
        sent = 0
        try:
            for chunk in chunks:
                if not chunk:
                    continue
                if truncate_to is not None and sent + len(chunk) >= truncate_to:
                    chunk = chunk[: truncate_to - sent]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # a generator's cleanup runs even when the client went away

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header: the world clock, not the wall clock."""
        return format_datetime(self.server.sandbox.world.now, usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve
