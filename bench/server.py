"""The sandbox under benchmark, in its own process (`python -m sandbox --events N`), so that its
CPU and memory stay apart from the loader's: the world's build time (its "built in" line) and the
peak resident memory of the build (the process tree's RSS sampled every 0.1 s while it builds, the
forked generators included, and the server's own high-water mark), the server's CPU seconds (for
the loader's wait share), the clock and the truth over its admin API."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

from bench import procs

BUILT = re.compile(r"apsis_events=(?P<events>\d+) .*\(built in (?P<seconds>[\d.]+)s\)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SandboxProcess:
    """`python -m sandbox --events N` on a free loopback port; `stop()` ends it."""

    def __init__(self, events: int, log: Path) -> None:
        self.events = events
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log, "w")  # noqa: SIM115  (closed in stop)
        started = time.perf_counter()
        self.process = subprocess.Popen(
            procs.python("sandbox", "--events", str(events), "--port", str(self.port)),
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self.peak_rss_mb = 0.0
        sampling = threading.Event()
        sampler = threading.Thread(target=self._sample, args=(sampling,), daemon=True)
        sampler.start()
        try:
            self.build_seconds, self.apsis_events = self._wait_built()
        finally:
            sampling.set()
            sampler.join()
        self.peak_rss_mb = max(self.peak_rss_mb, procs.peak_rss_mb(self.process.pid))
        self.build_cpu = procs.cpu_seconds(self.process.pid)
        self.wall_to_ready = time.perf_counter() - started
        self._wait_serving()
        self.lift_request_limits()

    def _sample(self, done: threading.Event) -> None:
        while not done.wait(0.1):
            self.peak_rss_mb = max(self.peak_rss_mb, procs.tree_rss_mb(self.process.pid))

    def _wait_built(self) -> tuple[float, int]:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._log.write(line)
            self._log.flush()
            match = BUILT.search(line)
            if match:
                threading.Thread(target=self._drain, daemon=True).start()
                return float(match["seconds"]), int(match["events"])
        raise RuntimeError(f"the sandbox ended before its world was built (see {self._log.name})")

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._log.write(line)
        self._log.flush()

    def _wait_serving(self) -> None:
        for _ in range(600):
            try:
                if requests.get(f"{self.url}/_sandbox/health", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"the sandbox does not answer at {self.url}")

    def lift_request_limits(self) -> None:
        """Benchmark Email's request limits (3,600 an hour, 100,000 a month) off: the benchmark
        measures the loader's own cost, and its recording load doubles the requests."""
        requests.post(
            f"{self.url}/_sandbox/faults",
            json={"benchmark": {"hourly_limit": 10**9, "monthly_limit": 10**9}},
            timeout=30,
        ).raise_for_status()

    def cpu_seconds(self) -> float:
        return procs.cpu_seconds(self.process.pid)

    def now(self) -> str:
        return str(requests.get(f"{self.url}/_sandbox/clock", timeout=30).json()["now"])

    def advance(self, hours: float) -> None:
        requests.post(
            f"{self.url}/_sandbox/clock", json={"advance_hours": hours}, timeout=60
        ).raise_for_status()

    def truth(self, provider: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = requests.get(
            f"{self.url}/_sandbox/truth/{provider}", params=params or {}, timeout=3600
        )
        response.raise_for_status()
        return dict(response.json())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def progress(message: str) -> None:
    """A progress line on stderr (the table goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
