"""Provider settings are declared once (a dlt configspec per provider) and resolved by dlt from the
keys users set today: an explicit value first, then `SOURCES__<PROVIDER>__<KEY>`, then
`.dlt/secrets.toml` / `.dlt/config.toml` under `[sources.<provider>]`, then the spec's default."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dlt.common.typing import is_optional_type

from pipelines.common.config import SourceConfig, resolve
from pipelines.common.errors import ProviderError
from pipelines.common.runner import PROVIDERS
from pipelines.netcore.config import NetcoreConfig
from tests.conftest import ROOT


def spec_of(provider: str) -> type[SourceConfig]:
    """The one settings spec in the provider's `config.py`."""
    module = importlib.import_module(f"{PROVIDERS[provider].module}.config")
    (spec,) = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, SourceConfig)
        and value.__module__ == module.__name__
    ]
    return spec


def required(spec: type[SourceConfig]) -> dict[str, str]:
    """A value for each setting that has no default (`dlt.config.value`, `dlt.secrets.value`)."""
    blank = spec()
    return {
        name: "2026-01-01" if name.endswith("date") else f"{name}-value"
        for name, hint in spec.get_resolvable_fields().items()
        if getattr(blank, name) is None and not is_optional_type(hint)
    }


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_registered_provider_has_one_spec_named_after_its_source(provider: str) -> None:
    spec = spec_of(provider)
    assert spec.source_name == provider and spec.provider == PROVIDERS[provider].display
    assert required(spec)  # the account's credentials at least


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_explicit_values_win_over_the_environment_which_wins_over_defaults(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = spec_of(provider)
    env = f"SOURCES__{provider.upper()}__"
    for key, value in required(spec).items():
        monkeypatch.setenv(env + key.upper(), value)
    monkeypatch.setenv(env + "ACCOUNT_ID", "from-env")
    monkeypatch.setenv(env + "REQUEST_MAX_ATTEMPTS", "3")  # text in the environment, an int here
    config = resolve(spec, {"account_id": "explicit"})
    assert config.account_id == "explicit"
    assert config.request_max_attempts == 3 and config.retry_policy().max_attempts == 3
    assert config.connect_retries == 2  # the default
    for key, value in required(spec).items():
        assert getattr(config, key) == value


def test_a_wrong_value_from_the_environment_is_named_like_an_explicit_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in required(NetcoreConfig).items():
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


@pytest.mark.parametrize(
    "provider", sorted(p for p in PROVIDERS if "timezone" in spec_of(p).__annotations__)
)
def test_a_timezone_setting_that_is_no_iana_name_is_named(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = spec_of(provider)
    for key, value in required(spec).items():
        monkeypatch.setenv(f"SOURCES__{provider.upper()}__{key.upper()}", value)
    with pytest.raises(
        ProviderError, match=r"setting timezone: unknown timezone 'Mars/Olympus' \(an IANA name"
    ):
        resolve(spec, {"timezone": "Mars/Olympus"})
    config = resolve(spec, {"timezone": "Europe/Stockholm"})
    assert getattr(config, "timezone") == "Europe/Stockholm"  # noqa: B009
