"""Do two checkouts build the same marts? For restructures and speed work that must not change a
row (issue 12, point 5): run it in each checkout, then compare the two snapshots.

    .venv/bin/python scripts/compare_marts.py snapshot /tmp/before      # in the old checkout
    .venv/bin/python scripts/compare_marts.py snapshot /tmp/after       # in the new one
    .venv/bin/python scripts/compare_marts.py compare /tmp/before /tmp/after

`snapshot` loads every provider from a sandbox world (400 recipients, 10 campaigns) into a new
DuckDB file, builds dbt, and writes each mart to parquet, then again after a 48 h clock advance.
It goes through the checkout's own test helpers (tests/conftest.py), so it follows a restructure.
Report periods are pinned (`report_as_of`) so two runs in different hours compare. `compare`
checks the marts table by table as multisets of rows, leaving out the wall-clock load times
(`*loaded_at`, `reported_at`), and exits 1 on any difference.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import conftest  # noqa: E402

WORLD: dict[str, Any] = {"recipients": 400, "campaigns": 10}
AS_OF = "2026-11-29T00:00:00Z"
WALL_CLOCK = ("loaded_at", "reported_at")


def snapshot(out: Path) -> None:
    tmp = Path(tempfile.mkdtemp())
    warehouse = str(tmp / "warehouse.duckdb")
    server = conftest.SandboxServer(conftest.WorldConfig(**WORLD))
    server.start()
    try:
        sandbox = conftest.Sandbox(server)
        for step in ("day0", "day2"):
            if step == "day2":
                sandbox.advance(48)
            for load in (
                conftest.load_apsis,
                conftest.load_maxemail,
                conftest.load_netcore,
                conftest.load_benchmark,
            ):
                load(sandbox, warehouse, tmp)
            conftest.dbt_build(warehouse, tmp, "--vars", json.dumps({"report_as_of": AS_OF}))
            write_marts(warehouse, out / step)
    finally:
        server.stop()


def write_marts(warehouse: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(warehouse, read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        for name in names:
            con.execute(f"copy (select * from marts.{name}) to '{out / name}.parquet'")
    print(f"{out}: {len(names)} marts")


def compare(before: Path, after: Path) -> int:
    con = duckdb.connect()
    differences = 0
    for step in sorted(path.name for path in before.iterdir()):
        old = {path.stem for path in (before / step).glob("*.parquet")}
        new = {path.stem for path in (after / step).glob("*.parquet")}
        if old != new:
            print(f"{step}: only before {sorted(old - new)}, only after {sorted(new - old)}")
            differences += 1
        for name in sorted(old & new):
            files = [before / step / f"{name}.parquet", after / step / f"{name}.parquet"]
            columns = [
                [row[0] for row in con.execute(f"describe select * from '{file}'").fetchall()]
                for file in files
            ]
            if columns[0] != columns[1]:
                print(f"{step}/{name}: columns differ: {columns[0]} != {columns[1]}")
                differences += 1
                continue
            kept = ", ".join(f'"{c}"' for c in columns[0] if not c.endswith(WALL_CLOCK))
            a, b = (f"(select {kept} from '{file}')" for file in files)
            only = con.execute(
                f"select (select count(*) from ({a} except all {b})),"
                f" (select count(*) from ({b} except all {a})), (select count(*) from {a})"
            ).fetchone()
            assert only is not None
            same = only[:2] == (0, 0)
            differences += not same
            status = "same" if same else f"DIFFERENT: {only[0]} only before, {only[1]} only after"
            print(f"{step}/{name}: {only[2]} rows, {status}")
    print("ALL SAME" if not differences else f"{differences} DIFFERENCES")
    return 1 if differences else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "snapshot":
        snapshot(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
