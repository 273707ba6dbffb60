"""Machine engagement in the sandbox world (issue 16, sandbox.machines): a world without machines
is the world before them, and the default world adds labelled machine events to every provider."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sandbox.apsis_one.pairs import pair_table as apsis_pairs
from sandbox.apsis_one.truth import apsis_one_truth
from sandbox.benchmark.digest import Digest
from sandbox.benchmark.pairs import pair_table as benchmark_pairs
from sandbox.benchmark.truth import benchmark_truth
from sandbox.config import world_config
from sandbox.machines import (
    PROXY_OPEN,
    SCANNER_CLICK,
    SCANNER_OPEN,
    in_prefix,
    machine_traits,
)
from sandbox.maxemail.pairs import pair_table as maxemail_pairs
from sandbox.maxemail.truth import maxemail_truth
from sandbox.netcore.pairtable import pair_table as netcore_pairs
from sandbox.netcore.truth import netcore_truth
from sandbox.reports.pairs import HUMAN_CLICKED, HUMAN_OPENED
from sandbox.reports.table import NEVER, PairTable
from sandbox.world import World
from tests.sandbox_digest import SIZE, digests

ROOT = Path(__file__).resolve().parents[1]
# The last commit of main before machine events (issue 16): its default world is the reference.
PRE_MACHINES = "95cc20dafd74ef4982ef3796c27e835a07ab35f5"
# sha256 of that world's digests (json, sorted keys), recorded from it: the reference where the
# commit is not in the repository (a shallow clone)
PRE_MACHINES_FINGERPRINT = "e895dc2263d1674c6143c929ba2a6f0401cf5f6854bd05c14042d60e73ba4f29"


def ip_label(cfg: Any, ips: np.ndarray, opens: bool) -> np.ndarray:
    """Truth labels of Netcore opens (`opens`) or clicks from their IP numbers (uint32)."""
    out = np.zeros(len(ips), np.int8)
    out[in_prefix(cfg.proxy_ip_prefix, ips)] = PROXY_OPEN
    out[in_prefix(cfg.scanner_ip_prefix, ips)] = SCANNER_OPEN if opens else SCANNER_CLICK
    return out


def _fingerprint(digest: dict[str, list[object]]) -> str:
    return hashlib.sha256(json.dumps(digest, sort_keys=True).encode()).hexdigest()


def _base_digests(tmp_path: Path) -> dict[str, list[object]] | None:
    """The digests of the pre-machines commit's default world, its sandbox run from a copy;
    None when the commit is not in the repository."""
    archive = subprocess.run(
        ["git", "archive", PRE_MACHINES, "sandbox"], cwd=ROOT, capture_output=True
    ).stdout
    if not archive:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "sandbox_digest.py").write_text(
        (ROOT / "tests" / "sandbox_digest.py").read_text()
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "tests/sandbox_digest.py", "base"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_world_without_machines_is_the_world_before_them(tmp_path: Path) -> None:
    """Every provider's data (all four parts, every array and value) of the `no_machines` world
    equals the pre-machines commit's default world, path by path."""
    before = _base_digests(tmp_path)
    after = digests("no_machines")
    assert set(after) == {"apsis_one", "maxemail", "netcore", "benchmark"}
    if before is not None:
        assert after == before
        assert _fingerprint(before) == PRE_MACHINES_FINGERPRINT
    assert _fingerprint(after) == PRE_MACHINES_FINGERPRINT


def test_default_world_adds_labelled_machine_events_to_every_provider() -> None:
    cfg = world_config(**SIZE)
    world = World(cfg, processes=1)
    plain = World(world_config("no_machines", **SIZE), processes=1)
    traits = machine_traits(cfg, cfg.recipients)
    assert 0.08 < traits.proxied.mean() < 0.22 and 0.03 < traits.scanned.mean() < 0.13

    apsis, apsis_plain = world.parts["apsis_one"].columns, plain.parts["apsis_one"].columns
    labels = np.asarray(apsis.machine)
    human = labels == 0
    # the human events are the world without machines, row for row
    assert int(human.sum()) == len(apsis_plain)
    assert np.array_equal(apsis.true_ms[human], apsis_plain.true_ms)
    assert np.array_equal(apsis.kind[human], apsis_plain.kind)
    assert {PROXY_OPEN, SCANNER_CLICK, SCANNER_OPEN} <= set(labels.tolist())

    maxemail = world.parts["maxemail"].columns
    human = maxemail.machine == 0
    assert np.array_equal(maxemail.at_s[human], plain.parts["maxemail"].columns.at_s)
    assert {PROXY_OPEN, SCANNER_CLICK, SCANNER_OPEN} <= set(maxemail.machine.tolist())

    netcore, netcore_plain = world.parts["netcore"], plain.parts["netcore"]
    opens = ip_label(cfg, netcore.open_ip, opens=True)
    clicks = ip_label(cfg, netcore.click_ip, opens=False)
    assert (opens == PROXY_OPEN).any() and (clicks == SCANNER_CLICK).any()
    assert int((opens == 0).sum()) == len(netcore_plain.open_ip)
    assert int((clicks == 0).sum()) == len(netcore_plain.click_ip)
    assert np.array_equal(np.sort(netcore.open_at[opens == 0]), np.sort(netcore_plain.open_at))
    # a message opened by a proxy only is `open`, as on Netcore (the status follows the opens)
    states = netcore.states(world.now_ms, 0, world.now_ms // 1000 + 1)
    proxy_only = [
        s
        for s in states
        if s.opens and not s.clicks and all(ip.startswith(cfg.proxy_ip_prefix) for _, ip in s.opens)
    ]
    assert proxy_only and {s.status for s in proxy_only} <= {"open", "unsubscribe", "spam"}
    assert "open" in {s.status for s in proxy_only}

    bench, bench_plain = world.parts["benchmark"].events, plain.parts["benchmark"].events
    labels = bench.machine_labels()
    assert np.array_equal(bench.at[labels == 0], bench_plain.at)
    assert {PROXY_OPEN, SCANNER_CLICK, SCANNER_OPEN} <= set(labels.tolist())


def _truths(world: World) -> dict[str, tuple[PairTable, dict[str, Any]]]:
    """Per provider: its pair table and its own truth keys at the world's clock."""
    now, zone = world.now_ms, ZoneInfo("Europe/London")
    apsis, maxemail = world.parts["apsis_one"], world.parts["maxemail"]
    netcore, digest = world.parts["netcore"], Digest(world.parts["benchmark"], now)
    return {
        "apsis_one": (apsis_pairs(apsis, now), apsis_one_truth(apsis, now)),
        "maxemail": (maxemail_pairs(maxemail, now, zone), maxemail_truth(maxemail, now, zone)),
        "netcore": (netcore_pairs(netcore, now, zone), netcore_truth(netcore, now, zone)),
        "benchmark": (benchmark_pairs(digest), benchmark_truth(digest)),
    }


@pytest.mark.parametrize("mode", ["default", "no_machines"])
def test_human_truth_agrees_between_the_pairs_the_report_and_machine_pairs(mode: str) -> None:
    """Three computations of human engagement (the pair table's `human` columns, the campaign
    report's `human_*` counts, `machine_pairs`) agree per provider and campaign; with machines
    the human counts are below the totals, without them equal."""
    world = World(world_config(*([] if mode == "default" else [mode]), **SIZE), processes=1)
    for provider, (table, own) in _truths(world).items():
        report = {r["campaign_id"]: r for r in own["campaign_report"]}
        below = 0
        for kind, column, total in (
            (HUMAN_OPENED, "human_unique_open_count", "unique_open_count"),
            (HUMAN_CLICKED, "human_unique_click_count", "unique_click_count"),
        ):
            has = table.at(kind) != NEVER
            per_campaign = np.bincount(table.campaign[has], minlength=len(table.campaign_ids))
            from_pairs = dict(zip(table.campaign_ids, per_campaign.tolist(), strict=True))
            name = "opened" if kind == HUMAN_OPENED else "clicked"
            from_machine_pairs: dict[str, int] = {}
            for row in own["machine_pairs"]:
                if row["kind"] == name and row["has_human"]:
                    cid = row["campaign_id"]
                    from_machine_pairs[cid] = from_machine_pairs.get(cid, 0) + 1
            for cid, row in report.items():
                assert row[column] == from_pairs.get(cid, 0), (provider, cid, column)
                assert row[column] == from_machine_pairs.get(cid, 0), (provider, cid, column)
                assert row[column] <= row[total], (provider, cid, column)
                below += row[total] - row[column]
        if mode == "default":
            assert below > 0, provider
            assert any(not r["has_human"] for r in own["machine_pairs"]), provider
        else:
            assert below == 0 and all(not r["has_machine"] for r in own["machine_pairs"])


def test_link_activity_has_human_clicks_within_the_totals() -> None:
    """Every provider's link activity truth carries the human clicks of each link: never more
    than the totals, fewer where scanners clicked (Maxemail's rows mix machine and human clicks
    in one count: no human total)."""
    world = World(world_config(**SIZE), processes=1)
    for provider, (_, own) in _truths(world).items():
        links = own["link_activity"]
        assert links, provider
        for r in links:
            assert 0 <= r["human_unique_click_count"] <= r["unique_click_count"], (provider, r)
            if provider == "maxemail":
                assert r["human_total_click_count"] is None
            else:
                assert r["human_unique_click_count"] <= r["human_total_click_count"]
                assert r["human_total_click_count"] <= r["total_click_count"], (provider, r)
        below = sum(r["unique_click_count"] - r["human_unique_click_count"] for r in links)
        assert below > 0, provider
