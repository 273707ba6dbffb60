"""Headless Chromium driven over the DevTools protocol, standard library only.

Chromium starts with `--remote-debugging-pipe`: it reads JSON messages, each ended by a NUL
byte, on file descriptor 3 and writes its answers and events on file descriptor 4 (the protocol:
https://chromedevtools.github.io/devtools-protocol/). A shell maps them onto the child's stdin
and stdout, which are our pipes. One page target is attached in flat mode (its messages carry a
sessionId); every event is kept in `events` for the caller to inspect. Used by
tests/test_report.py and scripts/report_screenshots.py; DECISIONLOG "The HTML report".
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

# Debian's packages: chromium-headless-shell, chromium (scripts/chromium.sh installs one)
BINARIES = ("chromium-headless-shell", "chromium", "/usr/lib/chromium/headless_shell")
# No first-run work, no background fetches (updates, safe browsing, metrics): the only requests
# are the page's own. The sandbox flag: Chromium refuses to run as root with its sandbox.
FLAGS = (
    "--headless",
    "--remote-debugging-pipe",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--hide-scrollbars",
    "--mute-audio",
)


class CdpError(RuntimeError):
    """A protocol call that failed, or Chromium that exited or did not answer."""


def find_chromium() -> str | None:
    """The first Chromium binary on PATH (or at its Debian path), else None."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless Chromium process and one page; `with Chromium(binary) as browser:`."""

    def __init__(self, binary: str, width: int = 1280, height: int = 900) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        self.log = Path(self.profile.name) / "stderr.log"
        flags = [*FLAGS, f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}"]
        if os.geteuid() == 0:
            flags.append("--no-sandbox")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                # fd 3 = our stdin pipe (to Chromium), fd 4 = our stdout pipe (from it)
                ["/bin/sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null', binary, *flags],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._to: IO[bytes] = self.process.stdin
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()
        self._ids = 0
        self.events: list[dict[str, Any]] = []
        self.size = (width, height)

    def _read(self, stream: IO[bytes]) -> None:
        buffer = b""
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for message in messages:
                self._messages.put(json.loads(message))
        self._messages.put(None)  # Chromium closed its end

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (events meanwhile go to `events`)."""
        self._ids += 1
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._to.write(json.dumps(message).encode() + b"\0")
        self._to.flush()
        while True:
            answer = self._next(60, method)
            if answer.get("id") == self._ids:
                if "error" in answer:
                    raise CdpError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def _next(self, timeout: float, waiting_for: str) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=timeout)
        except queue.Empty:
            raise CdpError(f"Chromium did not answer {waiting_for} in {timeout} s") from None
        if message is None:
            raise CdpError(f"Chromium exited: {self.log.read_text(errors='replace')[-2000:]}")
        if "method" in message:
            self.events.append(message)
        return message

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        """The first event `method` received so far or within `timeout` seconds."""
        seen = len(self.events)
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._next(max(deadline - time.monotonic(), 0.01), method)
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
        raise CdpError(f"no {method} within {timeout} s")

    def open(self, url: str) -> str:
        """A new page with Runtime, Log, Network and Page enabled, navigated to `url` and
        loaded; returns its session id."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable", session=session)
        width, height = self.size
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        self.call("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired")
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        """The value of a JavaScript expression (a promise is awaited); CdpError when it throws."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )
        if "exceptionDetails" in result:
            raise CdpError(f"the page's script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, session: str, path: Path, clip: dict[str, float] | None = None) -> Path:
        """A PNG of `clip` (x, y, width, height in CSS pixels), or of the whole page."""
        if clip is None:
            size = self.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
        shot = self.call(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": 1}},
            session,
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.call("Browser.close")
        except (CdpError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
