"""Profile one provider load (issue 14): wall and CPU seconds and peak RSS per dlt phase, and
cProfile over the whole run (`-` instead of a file: no cProfile, the plain figures).

    eval "$(python -m sandbox env --port P)"
    DLT_DATA_DIR=$TMP/dlt WAREHOUSE_PATH=$TMP/wh.duckdb DLT_PROJECT_DIR=$TMP/empty \\
        python scripts/profile_load.py apsis_one $TMP/apsis.prof

dlt's `Pipeline.extract`, `normalize` and `load` are wrapped to sum their wall and CPU seconds
(`time.process_time`: every thread of the process, DuckDB's included); VmRSS is sampled every
50 ms. cProfile sees the main thread only: DuckDB's work shows as `lock.acquire`.
"""

from __future__ import annotations

import cProfile
import pstats
import resource
import sys
import threading
import time
from typing import Any

from dlt.pipeline.pipeline import Pipeline

PHASES: dict[str, list[float]] = {}
PEAK = {"mb": 0.0}


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def sample() -> None:
    while True:
        PEAK["mb"] = max(PEAK["mb"], rss_mb())
        time.sleep(0.05)


def timed(name: str) -> None:
    original = getattr(Pipeline, name)

    def wrapper(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        PEAK["mb"] = 0.0
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            phase = PHASES.setdefault(name, [0.0, 0.0, 0.0, 0])
            phase[0] += time.perf_counter() - wall
            phase[1] += time.process_time() - cpu
            phase[2] = max(phase[2], PEAK["mb"], rss_mb())
            phase[3] += 1

    setattr(Pipeline, name, wrapper)


def main(provider: str, out: str) -> None:
    threading.Thread(target=sample, daemon=True).start()
    for name in ("extract", "normalize", "load"):
        timed(name)
    from pipelines.__main__ import _configure_logging
    from pipelines.common.runner import load_provider

    _configure_logging(False)
    profile = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    if out != "-":
        profile.enable()
    summary = load_provider(provider)
    profile.disable()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"whole      wall {time.perf_counter() - wall:6.1f}s cpu {time.process_time() - cpu:6.1f}s "
        f"peak_rss {peak:6.0f}MB rows {summary.rows}"
    )
    for name, (p_wall, p_cpu, p_peak, calls) in PHASES.items():
        print(f"{name:10s} x{calls} wall {p_wall:6.1f}s cpu {p_cpu:6.1f}s peak_rss {p_peak:6.0f}MB")
    if out == "-":  # no profile: the figures without cProfile's overhead
        return
    profile.dump_stats(out)
    stats = pstats.Stats(out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
