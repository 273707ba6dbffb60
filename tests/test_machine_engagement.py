"""Issue 16: the machine flags find the machine engagement of the sandbox's default world.

All four providers are loaded from a sandbox on loopback with the default world (12 campaigns x
500 recipients, its proxies and link scanners), the whole project is built with `dbt build`, and
`marts.fct_email_deliveries` is held to the truth's `machine_pairs` (sandbox.machine_quality):
per (campaign, recipient) pair and kind, "engaged by machines only" against "flagged" (engaged,
but no human engagement survived the rules). Precision and recall must be >= 0.95 for opens and
for clicks, pooled and per provider (every provider has well over MEANINGFUL machine-only pairs of
each kind in this world, and the test checks that it does).

With `machine_detection_enabled: false` nothing is flagged: every human column of every mart
equals its total (the same column name without `human_`), which a second build proves.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.common.runner import PROVIDERS
from sandbox import SandboxServer, WorldConfig
from sandbox.machine_quality import (
    KINDS,
    POOLED,
    confusion,
    machine_reasons,
    pair_quality,
    print_quality,
)
from sandbox.values import recipient_key
from tests.conftest import Sandbox, dbt_build, load_every_provider, query

# load (about 6 s), dbt build (about 15 s) and a second build of fct_email_events+ (about 15 s):
# about 36 s for the module's three tests, 12 s each (tests/shards.py)
pytestmark = [pytest.mark.e2e, pytest.mark.cost(12)]

THRESHOLD = 0.95
# the fewest machine-only pairs (and flagged pairs) for a provider's figure to be asserted alone:
# below it, one pair moves the ratio by more than the margin
MEANINGFUL = 100
# A human column whose null is its meaning, not a difference: Maxemail's click rows aggregate
# machine and human clicks, so its link activity has no human total (DECISIONLOG, issue 16).
NULL_HUMAN = {("email_campaign_link_activity", "human_total_click_count"): "maxemail"}


@dataclass
class World:
    warehouse: str
    truths: dict[str, dict[str, Any]]
    tmp: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("machines")
    warehouse = str(tmp / "warehouse.duckdb")
    server = SandboxServer(WorldConfig())
    server.start()
    try:
        sandbox = Sandbox(server)
        load_every_provider(sandbox, warehouse, tmp)
        truths = {p: sandbox.truth(p) for p in PROVIDERS}
    finally:
        server.stop()
    dbt_build(warehouse, tmp)
    yield World(warehouse, truths, tmp)


def test_the_flags_find_the_pairs_engaged_by_machines_only(world: World) -> None:
    names = {p: PROVIDERS[p][2] for p in PROVIDERS}
    quality = print_quality(world.warehouse, world.truths, names)
    problems = []
    for (provider, kind), c in quality.items():
        # the join is whole: the warehouse's engaged pairs are the truth's (totals = truth)
        assert c.unmatched == 0, (provider, kind, c)
        if provider != POOLED:
            assert c.positives >= MEANINGFUL and c.flagged >= MEANINGFUL, (provider, kind, c)
        for measure in ("precision", "recall"):
            value = getattr(c, measure)
            if value is None or value < THRESHOLD:
                problems.append(f"{provider} {kind} {measure} {value} ({c})")
    assert not problems, "\n".join(problems)

    # every provider's flags come from rules, named in machine_reason, for opens and for clicks
    reasons = machine_reasons(world.warehouse)
    for provider in PROVIDERS:
        kinds = {name.split(" ")[0] for name in reasons[provider]}
        assert kinds == set(KINDS), (provider, reasons[provider])
        flagged = query(
            world.warehouse,
            "select count(*) from marts.fct_email_events where provider = "
            f"'{provider}' and (is_machine_open or is_bot_click)",
        )[0][0]
        assert sum(reasons[provider].values()) == flagged > 0


def marts_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Per table of the marts schema, its columns."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def human_columns(columns: dict[str, list[str]]) -> dict[str, list[tuple[str, str]]]:
    """Per marts table, its (human column, total column) pairs: `was_opened_by_human` ->
    `was_opened`, `first_human_opened_at` -> `first_opened_at`, `human_open_rate` ->
    `open_rate` and so on."""
    pairs: dict[str, list[tuple[str, str]]] = {}
    for table, names in columns.items():
        for name in names:
            if "human" not in name:
                continue
            total = name.replace("_by_human", "").replace("human_", "")
            assert total in names, f"{table}.{name} has no total column {total}"
            pairs.setdefault(table, []).append((name, total))
    return pairs


def test_without_detection_every_human_column_equals_its_total(world: World) -> None:
    warehouse = str(world.tmp / "no-detection.duckdb")
    shutil.copy(world.warehouse, warehouse)
    off = "{machine_detection_enabled: false}"
    # a changed rule var needs a full refresh of the fact and what reads it (machine_rules_guard)
    dbt_build(
        warehouse, world.tmp, "--full-refresh", "--select", "fct_email_events+", "--vars", off
    )

    with duckdb.connect(warehouse, read_only=True) as con:
        flagged = con.execute(
            "select count(*), count(machine_reason) from marts.fct_email_events "
            "where is_machine_open or is_bot_click"
        ).fetchone()
        assert flagged == (0, 0)
        columns = marts_columns(con)
        pairs = human_columns(columns)
        assert "fct_email_deliveries" in pairs, pairs
        problems = []
        for table, table_pairs in pairs.items():
            has_provider = "provider" in columns[table]
            for human, total in table_pairs:
                exempt = NULL_HUMAN.get((table, human))
                skip = f" and not (provider = '{exempt}' and {human} is null)" if exempt else ""
                rows, different = con.execute(
                    f"select count(*), count(case when {human} is distinct from {total}"
                    f"{skip if has_provider else ''} then 1 end) from marts.{table}"
                ).fetchone() or (0, 0)
                if different:
                    problems.append(f"{table}.{human} != {total} in {different} of {rows} rows")
    assert not problems, "\n".join(problems)

    # and the measure sees it: nothing flagged, every machine-only pair missed
    quality = pair_quality(warehouse, world.truths)
    for kind in KINDS:
        pooled = quality[(POOLED, kind)]
        assert pooled.flagged == 0 and pooled.positives > 0 and pooled.recall == 0


def test_the_confusion_counts_every_pair_once_and_the_unmatched_ones() -> None:
    """sandbox.machine_quality.confusion on hand-made pairs: each outcome once, a truth pair the
    warehouse lacks and a warehouse pair the truth lacks."""

    def pair(recipient: str, machine: bool, human: bool) -> dict[str, Any]:
        return {"campaign_id": 7, "recipient": recipient, "kind": "opened", "has_machine": machine,
                "has_human": human}  # fmt: skip

    truth = [
        pair("TP@example.com", True, False),  # machine only, flagged
        pair("fn@example.com", True, False),  # machine only, not flagged
        pair("fp@example.com", True, True),  # a human too, flagged
        pair("tn@example.com", False, True),  # human, not flagged
        pair("gone@example.com", True, False),  # not in the warehouse: missed
        {**pair("tp@example.com", True, True), "kind": "clicked"},  # another kind
    ]
    mart = {
        ("7", recipient_key("tp@example.com")): True,
        ("7", recipient_key("fn@example.com")): False,
        ("7", recipient_key("fp@example.com")): True,
        ("7", recipient_key("tn@example.com")): False,
        ("7", recipient_key("extra@example.com")): True,  # not in the truth: a false positive
    }
    c = confusion(truth, mart, "opened")
    assert (c.pairs, c.true_positive, c.false_positive, c.false_negative, c.unmatched) == (
        6, 1, 2, 2, 2
    )  # fmt: skip
    assert (c.precision, c.recall) == (1 / 3, 1 / 3)
