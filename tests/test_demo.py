"""`make demo` never touches the user's warehouse, state or settings (issue 11, point 6).

The demo runs as `make demo` runs it (`python -m sandbox.demo`, against the test's sandbox) in
the environment of a user who has configured a real account and a warehouse of their own.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from pipelines.common.runner import PROVIDERS
from tests.conftest import ROOT, Sandbox, query

pytestmark = pytest.mark.e2e


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_demo_leaves_the_users_warehouse_state_and_settings_alone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    user = tmp_path / "user"
    user.mkdir()
    user_warehouse = user / "warehouse.duckdb"
    with duckdb.connect(str(user_warehouse)) as con:
        con.execute("create schema raw_apsis_one")
        con.execute("create table raw_apsis_one.email_events as select 'my own row' as note")
    before = digest(user_warehouse)
    real_account = "http://127.0.0.1:9"  # the user's accounts: nothing may be asked of them
    env = {
        **os.environ,
        "WAREHOUSE": "duckdb",
        "WAREHOUSE_PATH": str(user_warehouse),
        "DLT_DATA_DIR": str(user / "dlt"),  # the user's dlt state
        "DBT_TARGET": "postgres",  # the user's dbt target
        "DEMO_WAREHOUSE_PATH": str(tmp_path / "demo" / "demo.duckdb"),
        **{f"SOURCES__{p.upper()}__BASE_URL": f"{real_account}/{p}" for p in PROVIDERS},
        "SOURCES__APSIS_ONE__CLIENT_SECRET": "the-users-secret",
        "SOURCES__BENCHMARK__API_KEY": "the-users-key",
    }
    demo = subprocess.run(
        [
            *(sys.executable, "-m", "sandbox.demo", "--port", str(urlsplit(sandbox.url).port)),
            # what the demo prints and checks; the whole build is tested in other modules
            *("--dbt-select", "+email_campaign_report", "+fct_email_events"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(demo.stdout[-1500:])
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    for _, _, display, _ in PROVIDERS.values():
        assert re.search(
            rf"^{display}: all \d+ campaigns equal the sandbox's ground truth", demo.stdout, re.M
        )

    assert digest(user_warehouse) == before, "the demo wrote into the user's warehouse"
    assert query(str(user_warehouse), "select note from raw_apsis_one.email_events") == [
        ("my own row",)
    ]
    assert not (user / "dlt").exists(), "the demo wrote into the user's dlt state"
    demo_warehouse = str(tmp_path / "demo" / "demo.duckdb")
    providers = query(demo_warehouse, "select distinct provider from marts.email_campaign_report")
    assert sorted(p for (p,) in providers) == sorted(PROVIDERS)
    assert (tmp_path / "demo" / ".demo" / "pipelines").is_dir()
