"""`python -m bench.duckload <database> <recording>`: DuckDB's own load of the data a loader
received (bench.record), into a fresh DuckDB file: the export files in one
`create table ... as select * from read_csv([...])` (every column text, as the loader keeps
them, `union_by_name` over files of different columns), each JSON endpoint's records (one file,
bench.record) in one `create table ... as select * from read_json(...)`, types inferred from
every record. Closing the connection (the checkpoint to
disk) is part of the load. Prints the tables' row counts as JSON on stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb


def quoted_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def statements(recording: Path) -> dict[str, str]:
    """Table name → its `create table as select` over the recorded files."""
    tables: dict[str, str] = {}
    files = sorted((recording / "files").glob("*.csv*"))
    if files:
        tables["export_files"] = (
            f"select * from read_csv({quoted_list(files)}, header = true, all_varchar = true, "
            "union_by_name = true)"
        )
    for pages in sorted((recording / "json").glob("*.jsonl")):
        tables[pages.stem] = (
            f"select * from read_json({quoted_list([pages])}, format = 'newline_delimited', "
            "sample_size = -1)"
        )
    return tables


def load(database: str, recording: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    con = duckdb.connect(database)
    try:
        for name, select in statements(recording).items():
            con.execute(f'create table "{name}" as {select}')
            row = con.execute(f'select count(*) from "{name}"').fetchone()
            counts[name] = int(row[0]) if row else 0
    finally:
        con.close()
    return counts


def main(argv: list[str]) -> int:
    print(json.dumps(load(argv[0], Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
