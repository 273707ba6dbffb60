"""The source freshness thresholds are dbt vars (`freshness_warn_after_hours`,
`freshness_error_after_hours`): a `--vars` override changes every source table's thresholds in
the parsed manifest, as integers. The defaults are checked where `dbt source freshness` runs on
a loaded warehouse (tests/pipeline_health.py, from test_end_to_end_marts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, dbt_env
from tests.pipeline_health import assert_thresholds

pytestmark = [pytest.mark.cost(9)]  # one dbt parse with vars (tests/shards.py)

PROVIDERS = {"apsis_one", "maxemail", "netcore", "benchmark"}


def test_vars_override_every_source_tables_thresholds(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "parse",
            "--vars",
            "{freshness_warn_after_hours: 5, freshness_error_after_hours: 11}",
        ],
        cwd=ROOT / "dbt_project",
        env=dbt_env(str(tmp_path / "warehouse.duckdb"), tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((tmp_path / "dbt_target" / "manifest.json").read_text())
    sources = list(manifest["sources"].values())
    assert {s["source_name"] for s in sources} == PROVIDERS
    assert any(s["name"] == "load_history" for s in sources)
    assert_thresholds(sources, 5, 11)
