"""Provider settings are declared once (a dlt configspec per provider) and resolved by dlt from the
keys users set today: an explicit value first, then `SOURCES__<PROVIDER>__<KEY>`, then
`.dlt/secrets.toml` / `.dlt/config.toml` under `[sources.<provider>]`, then the spec's default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.apsis_one.config import ApsisOneConfig
from pipelines.benchmark.config import BenchmarkConfig
from pipelines.common.config import SourceConfig, resolve
from pipelines.common.errors import ProviderError
from pipelines.common.runner import PROVIDERS
from pipelines.maxemail.config import MaxemailConfig
from pipelines.netcore.config import NetcoreConfig
from tests.conftest import ROOT

SPECS: dict[str, type[SourceConfig]] = {
    "apsis_one": ApsisOneConfig,
    "maxemail": MaxemailConfig,
    "netcore": NetcoreConfig,
    "benchmark": BenchmarkConfig,
}
REQUIRED = {
    "apsis_one": {"client_id": "c", "client_secret": "s3cret", "start_date": "2026-01-01"},
    "maxemail": {"username": "u", "password": "s3cret", "start_date": "2026-01-01"},
    "netcore": {"api_key": "s3cret", "start_date": "2026-01-01"},
    "benchmark": {"api_key": "s3cret", "base_url": "https://bme.example"},
}


def test_every_registered_provider_has_one_spec_named_after_its_source() -> None:
    assert set(SPECS) == set(PROVIDERS)
    for name, spec in SPECS.items():
        assert spec.source_name == name and spec.provider == PROVIDERS[name].display


@pytest.mark.parametrize("provider", sorted(SPECS))
def test_explicit_values_win_over_the_environment_which_wins_over_defaults(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SPECS[provider]
    env = f"SOURCES__{provider.upper()}__"
    for key, value in REQUIRED[provider].items():
        monkeypatch.setenv(env + key.upper(), value)
    monkeypatch.setenv(env + "ACCOUNT_ID", "from-env")
    monkeypatch.setenv(env + "REQUEST_MAX_ATTEMPTS", "3")  # text in the environment, an int here
    config = resolve(spec, {"account_id": "explicit"})
    assert config.account_id == "explicit"
    assert config.request_max_attempts == 3 and config.retry_policy().max_attempts == 3
    assert config.connect_retries == 2  # the default
    for key, value in REQUIRED[provider].items():
        assert getattr(config, key) == value


def test_a_wrong_value_from_the_environment_is_named_like_an_explicit_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in REQUIRED["netcore"].items():
        monkeypatch.setenv(f"SOURCES__NETCORE__{key.upper()}", value)
    monkeypatch.setenv("SOURCES__NETCORE__PAGING", "pages")
    with pytest.raises(ProviderError, match="^Netcore: unknown paging 'pages'"):
        resolve(NetcoreConfig, {})
    with pytest.raises(ProviderError, match="^Netcore: setting request_timeout must be >= 0"):
        resolve(NetcoreConfig, {"paging": "offset", "request_timeout": -1})


def test_cli_names_the_missing_settings_of_a_provider(tmp_path: Path) -> None:
    """No `.dlt/` (an empty project directory) and no `SOURCES__*`: one line naming the keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__"))}
    env.update(
        DLT_PROJECT_DIR=str(tmp_path), DLT_DATA_DIR=str(tmp_path / "dlt"), HOME=str(tmp_path)
    )
    env["WAREHOUSE_PATH"] = str(tmp_path / "w.duckdb")
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", "netcore"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert (
        "error: Netcore: missing configuration api_key, start_date. Set it in .dlt/config.toml "
        "or .dlt/secrets.toml under [sources.netcore], or as SOURCES__NETCORE__<NAME>."
    ) in result.stderr
