"""Issue 15: every incremental model, built run after run (sandbox clock advance, load of every
provider, incremental `dbt build`), holds row for row what a `--full-refresh` build of the same
warehouse holds (DuckDB; `except all` both ways, so duplicates count too).

The loads of a test run seconds apart, so the default `event_lookback_hours` (72) would re-read
every load and prove nothing about the incremental path: the builds here run with a lookback of
0 hours, so each incremental run reads only the provider's newest load already in a fact and the
loads after it, as a daily run whose previous load is more than the lookback ago does. Between
the advances the loaders re-read their own lookback (retried and re-exported rows, rows of a
re-read window deleted and loaded again: pipelines/common/replace.py), which is what the
incremental rule must get right.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import (
    Sandbox,
    dbt_build,
    load_every_provider,
)

pytestmark = pytest.mark.e2e

INCREMENTAL_MODELS = ("fct_email_events", "fct_email_deliveries")
DAILY = "{event_lookback_hours: 0}"
# The incremental models, what they read and their data tests (the report marts are not needed here).
BUILD = (
    "--vars",
    DAILY,
    "--select",
    "+fct_email_deliveries",
    "--exclude",
    "test_type:unit",
    "--indirect-selection",
    "cautious",
)


def keep_copies(warehouse: str) -> dict[str, int]:
    """Copies of the incremental models in schema `incremental_copy`; their row counts."""
    counts: dict[str, int] = {}
    with duckdb.connect(warehouse) as con:
        con.execute("create schema if not exists incremental_copy")
        for model in INCREMENTAL_MODELS:
            con.execute(
                f"create or replace table incremental_copy.{model} as select * from marts.{model}"
            )
            row = con.execute(f"select count(*) from incremental_copy.{model}").fetchone()
            counts[model] = row[0] if row else 0
    return counts


def differences(warehouse: str) -> dict[str, tuple[int, int]]:
    """Per model: (rows only in the incremental build, rows only in the full refresh)."""
    found: dict[str, tuple[int, int]] = {}
    with duckdb.connect(warehouse, read_only=True) as con:
        for model in INCREMENTAL_MODELS:
            a, b = f"incremental_copy.{model}", f"marts.{model}"
            only_incremental = con.execute(
                f"select count(*) from (select * from {a} except all select * from {b})"
            ).fetchone()
            only_full = con.execute(
                f"select count(*) from (select * from {b} except all select * from {a})"
            ).fetchone()
            found[model] = (
                only_incremental[0] if only_incremental else -1,
                only_full[0] if only_full else -1,
            )
    return found


def test_incremental_models_equal_a_full_refresh_after_several_advances(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    load_every_provider(sandbox, warehouse, tmp_path)
    dbt_build(warehouse, tmp_path, *BUILD)
    grown: list[int] = []
    for hours in (24, 30, 24 * 3):
        sandbox.advance(hours=hours)
        load_every_provider(sandbox, warehouse, tmp_path)
        dbt_build(warehouse, tmp_path, *BUILD)
        grown.append(keep_copies(warehouse)["fct_email_events"])
    assert grown[0] < grown[-1], f"the advances added no events: {grown}"

    counts = keep_copies(warehouse)
    dbt_build(
        warehouse,
        tmp_path,
        "--full-refresh",
        "--select",
        " ".join(INCREMENTAL_MODELS),
        "--exclude",
        "test_type:unit",
        "--indirect-selection",
        "cautious",
    )
    assert all(n > 0 for n in counts.values()), counts
    assert differences(warehouse) == {model: (0, 0) for model in INCREMENTAL_MODELS}
