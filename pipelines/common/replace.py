"""Re-read export windows without dlt's merge: the raw table is appended to, and the rows a re-read
replaced are deleted by us once its load is committed (DECISIONLOG "Append-only raw tables").

A resource that reads an export window appends its rows as they are (write disposition `append`:
no staging copy, no key join) and records the window in its resource state (`remember`), which
dlt commits in the same load as the rows. After every load, and at the start of a run (for a run
killed between its load and the delete), the runner calls `apply`: one DELETE per recorded window
removes that window's rows that another export delivered earlier. Every recorded window is the
latest export of its range (its record is replaced by the resource's next run, in the same load as
that run's rows), so repeating a DELETE is harmless. A crash between the load and the DELETE
leaves duplicates of whole rows, which dbt collapses by event identity, never a lost row; the next
run deletes them.

Two kinds of window: a *range* (APSIS One: an export holds every row of its time range, so the
older rows in the range go), and a range with *same_key* (Maxemail: the `opened` file carries each
pair's latest open only, and the earlier latest opens stay, CONTRACTS 5.3; only the older rows
whose key the new export holds again go). Benchmark's `contact_events` records both for one read
of its `pastDays` range: a range, and a same_key window for the edge its pages may have cut.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import dlt

from pipelines.common.windows import parse_utc

logger = logging.getLogger(__name__)

STATE_KEY = "replaced_windows"


def start() -> None:
    """Forget the windows of the resource's previous load (called when the resource starts: the
    windows recorded from now on are this load's, committed with its rows)."""
    dlt.current.resource_state()[STATE_KEY] = []


def remember(
    table: str,
    *,
    export_column: str,
    export_id: str,
    time_column: str,
    start_at: int | str | None,
    end_at: int | str | None = None,
    match: dict[str, str | list[str]],
    same_key: Iterable[str] = (),
) -> None:
    """Record a completed export window of ``table``: rows with ``match``'s values, ``time_column``
    in [``start_at``, ``end_at``) (None: unbounded; text: an RFC 3339 time, else a number) and
    another ``export_column`` than ``export_id`` are replaced by this export (with ``same_key``:
    only those whose key columns equal a row of this export). A list in ``match``: any of its
    values. Rows whose ``export_column`` is null are never deleted."""
    dlt.current.resource_state().setdefault(STATE_KEY, []).append(
        {
            "table": table,
            "export_column": export_column,
            "export_id": export_id,
            "time_column": time_column,
            "start": start_at,
            "end": end_at,
            "match": dict(match),
            "same_key": list(same_key),
        }
    )


def recorded(pipeline: dlt.Pipeline, source: str) -> list[dict[str, Any]]:
    """Every window recorded in ``source``'s committed resource states."""
    resources = pipeline.state.get("sources", {}).get(source, {}).get("resources", {})
    return [window for state in resources.values() for window in state.get(STATE_KEY, [])]


def delete_statement(client: Any, window: dict[str, Any]) -> tuple[str, list[Any]]:
    """The DELETE of one window, in SQL DuckDB and PostgreSQL both run, and its parameters."""
    table = client.make_qualified_table_name(window["table"])
    column = client.escape_column_name
    conditions, params = [], []
    for name, value in window["match"].items():
        if isinstance(value, list):  # one of several values (Benchmark: the event types read)
            conditions.append(f"{column(name)} in ({', '.join(['%s'] * len(value))})")
            params.extend(value)
        else:
            conditions.append(f"{column(name)} = %s")
            params.append(value)
    time_column = column(window["time_column"])
    for bound, operator in ((window["start"], ">="), (window["end"], "<")):
        if bound is not None:
            conditions.append(f"{time_column} {operator} %s")
            params.append(parse_utc(bound) if isinstance(bound, str) else bound)
    conditions.append(f"{column(window['export_column'])} <> %s")
    params.append(window["export_id"])
    if window["same_key"]:
        same = " and ".join(
            f"new_rows.{column(name)} = old_rows.{column(name)}"
            for name in [*window["match"], *window["same_key"]]
        )
        conditions.append(
            f"exists (select 1 from {table} as new_rows "
            f"where new_rows.{column(window['export_column'])} = %s and {same})"
        )
        params.append(window["export_id"])
    return f"delete from {table} as old_rows where {' and '.join(conditions)}", params


def apply(pipeline: dlt.Pipeline, source: str, done: set[str] | None = None) -> int:
    """Run the DELETE of every window recorded in the committed state whose export is not in
    ``done`` (the exports this process already applied; updated); return the rows deleted."""
    windows = [w for w in recorded(pipeline, source) if done is None or w["export_id"] not in done]
    if not windows:
        return 0
    deleted = 0
    with pipeline.sql_client() as client:
        existing = {w["table"] for w in windows if _has_table(client, w["table"])}
        for window in windows:
            if window["table"] in existing:
                sql, params = delete_statement(client, window)
                rows = client.execute_sql(sql, *params)
                deleted += _count(rows)
            if done is not None:
                done.add(window["export_id"])
    if deleted:
        logger.info("%s: %d raw row(s) replaced by re-read export windows", source, deleted)
    return deleted


def _has_table(client: Any, table: str) -> bool:
    rows = client.execute_sql(
        "select count(*) from information_schema.tables where table_schema = %s "
        "and table_name = %s",
        client.dataset_name,
        table,
    )
    return bool(rows and rows[0][0])


def _count(rows: Any) -> int:
    """The deleted row count DuckDB returns (PostgreSQL's cursor returns none here: 0)."""
    try:
        return int(rows[0][0]) if rows else 0
    except (TypeError, ValueError, IndexError):
        return 0
