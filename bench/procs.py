"""Run a command as a child process and measure it: wall seconds, CPU seconds (user + system, its
own and its waited-for descendants', from `os.wait4`) and peak resident memory (`ru_maxrss`);
read another live process's CPU seconds and its process tree's resident memory from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    """One finished child process: wall and CPU seconds, peak RSS (MB), exit code, output."""

    wall: float
    cpu: float
    rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def check(self, what: str) -> Measured:
        if self.returncode != 0:
            raise RuntimeError(
                f"{what} failed (exit {self.returncode}):\n{self.stdout[-4000:]}\n"
                f"{self.stderr[-4000:]}"
            )
        return self


def run(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    log: Path | None = None,
) -> Measured:
    """Run `cmd` to its end; its stdout and stderr go to `log` (a file, read back after) so that
    a long run never blocks on a full pipe."""
    log = log or Path(os.devnull)
    log.parent.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log.with_suffix(".out"), log.with_suffix(".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,  # kB on Linux
        returncode=process.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def python(module: str, *args: str) -> list[str]:
    """The command line of `python -m module args` in this interpreter (the project's venv)."""
    return [sys.executable, "-m", module, *args]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process so far (its own threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found += [int(child) for child in text.split()]
    except OSError:
        pass
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of a process and all its descendants now (0 for a process gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
        todo += _children(current)
    return total / 2**20


def peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of a live process's resident memory (VmHWM, MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
