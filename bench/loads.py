"""A provider's load under benchmark, side by side with DuckDB's own load of the same data.

1. `python -m bench.record <provider>`: an untimed load that keeps a copy of every file and JSON
   page received (bench.record), into a throwaway warehouse.
2. The project's load, timed: `python -m pipelines load <provider>` in its own process, the
   sandbox's settings (`python -m sandbox env`'s) in its environment, into the benchmark's
   warehouse (a fresh DuckDB file for the first provider; every provider's raw tables land in
   their own `raw_<provider>` schema). Wall and CPU seconds and peak RSS from `os.wait4`; the
   server's CPU seconds over the same interval (/proc) for the wait share.
3. DuckDB's own load of the recording (`python -m bench.duckload`), timed the same way, into a
   fresh file.
4. Sizes: the loader's raw tables (its `raw_<provider>` schema without dlt's own `_dlt_*` tables)
   copied into a fresh DuckDB file, against the file of DuckDB's own load.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench import procs
from bench.server import SandboxProcess, progress
from sandbox.env import environment

# The loader's export status polls start sooner than its default (as `make demo` sets them), so a
# small export is not timed mostly asleep.
LOADER_SETTINGS = {"SOURCES__APSIS_ONE__POLL_INITIAL_SECONDS": "0.5"}


@dataclass
class LoadRun:
    provider: str
    loader: procs.Measured
    server_cpu: float  # the sandbox process's CPU seconds during the load

    @property
    def wait_share(self) -> float:
        return self.server_cpu / self.loader.wall if self.loader.wall else 0.0


@dataclass
class Comparison:
    run: LoadRun
    duckdb: procs.Measured
    rows: int  # records received (the rows of DuckDB's own tables)
    raw_rows: int  # rows of the loader's raw tables (dlt's child tables included)
    raw_mb: float
    duckdb_mb: float


def loader_env(sandbox: SandboxProcess, warehouse: Path, dlt_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        **environment(sandbox.url),
        **LOADER_SETTINGS,
        "WAREHOUSE": "duckdb",
        "WAREHOUSE_PATH": str(warehouse),
        "DLT_DATA_DIR": str(dlt_dir),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }


def project_load(
    sandbox: SandboxProcess, provider: str, warehouse: Path, work: Path, step: str
) -> LoadRun:
    """`python -m pipelines load <provider>`, timed, with the server's CPU over the same time."""
    env = loader_env(sandbox, warehouse, work / "dlt")
    before = sandbox.cpu_seconds()
    loader = procs.run(
        procs.python("pipelines", "load", provider),
        env=env,
        log=work / "logs" / f"load-{step}-{provider}",
    ).check(f"the {provider} load ({step})")
    return LoadRun(provider, loader, sandbox.cpu_seconds() - before)


def file_mb(path: Path) -> float:
    wal = path.with_name(path.name + ".wal")
    return (path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 2**20


def raw_copy(warehouse: Path, provider: str, target: Path) -> tuple[int, float]:
    """Copy the loader's raw tables of `provider` into a fresh file: (rows, MB)."""
    target.unlink(missing_ok=True)
    rows = 0
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'wh' and table_schema = ? "
                "and table_name not like '\\_dlt%' escape '\\'",
                [f"raw_{provider}"],
            ).fetchall()
        ]
        for name in tables:
            con.execute(f'create table "{name}" as select * from wh.raw_{provider}."{name}"')
            row = con.execute(f'select count(*) from "{name}"').fetchone()
            rows += int(row[0]) if row else 0
        con.execute("detach wh")
    return rows, file_mb(target)


def compare(sandbox: SandboxProcess, provider: str, warehouse: Path, work: Path) -> Comparison:
    """Record, load with the project, load with DuckDB, and measure both tables' sizes."""
    recording = work / "recordings" / provider
    progress(f"{provider}: recording the data (an untimed load)")
    procs.run(
        procs.python("bench.record", provider, str(recording)),
        env=loader_env(sandbox, work / f"recording-{provider}.duckdb", work / "dlt-recording"),
        log=work / "logs" / f"record-{provider}",
    ).check(f"the recording load of {provider}")
    progress(f"{provider}: the project's load")
    run = project_load(sandbox, provider, warehouse, work, "first")
    progress(f"{provider}: loaded in {run.loader.wall:.1f} s; DuckDB's own load")
    database = work / f"duckdb-{provider}.duckdb"
    database.unlink(missing_ok=True)
    duck = procs.run(
        procs.python("bench.duckload", str(database), str(recording)),
        log=work / "logs" / f"duckdb-{provider}",
    ).check(f"DuckDB's own load of {provider}")
    rows = sum(json.loads(duck.stdout.strip().splitlines()[-1]).values())
    raw_rows, raw_mb = raw_copy(warehouse, provider, work / f"raw-copy-{provider}.duckdb")
    return Comparison(run, duck, rows, raw_rows, raw_mb, file_mb(database))
