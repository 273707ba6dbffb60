"""The sandbox is a development and test tool (issue 12, point 3): the loader's defaults are the
real providers', only `python -m sandbox env` (`make load-sandbox`) points the sources at a sandbox,
the loader never imports it, and the installed package does not ship it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from typing import Any
from urllib.parse import urlsplit

import setuptools

from sandbox.providers import PROVIDERS
from tests.conftest import ROOT, Sandbox

LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def shell_env(*command: str) -> tuple[int, dict[str, str], str]:
    """Run ``command`` (the sandbox env CLI), `eval` its output in bash, and return the exit code
    and the `SOURCES__*` variables bash then holds."""
    quoted = " ".join(command)
    script = f'exports=$({quoted}) && eval "$exports" && env'
    clean = {n: v for n, v in os.environ.items() if not n.startswith("SOURCES__")}
    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    lines = [line.partition("=") for line in result.stdout.splitlines()]
    return (
        result.returncode,
        {n: v for n, _, v in lines if n.startswith("SOURCES__")},
        result.stderr,
    )


def test_sandbox_env_points_every_source_at_the_sandbox(sandbox: Sandbox) -> None:
    port = urlsplit(sandbox.url).port
    code, env, err = shell_env(sys.executable, "-m", "sandbox", "env", "--check", f"--port {port}")
    assert code == 0, err
    assert env == sandbox.env()  # what the tests and `make load-sandbox` use
    for name, plugin in PROVIDERS.items():
        settings = plugin.source_settings(sandbox.url)
        assert settings["base_url"] == f"{sandbox.url}/{name}"
        assert env[f"SOURCES__{name.upper()}__BASE_URL"] == settings["base_url"]
    assert env["SOURCES__APSIS_ONE__ATTRIBUTE_VERSION_IDS"] == '["491874"]'  # lists as JSON
    assert sandbox.env("netcore") == {
        n: v for n, v in env.items() if n.startswith("SOURCES__NETCORE__")
    }


def test_sandbox_env_check_refuses_a_url_without_a_sandbox() -> None:
    code, env, err = shell_env(sys.executable, "-m", "sandbox", "env", "--check", "--port 9")
    assert code == 2 and env == {}
    assert "no sandbox answers at http://127.0.0.1:9: start it with `make sandbox`" in err


def _values(table: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(table, dict):
        return [kv for key, value in table.items() for kv in _values(value, f"{path}.{key}")]
    if isinstance(table, list):
        return [kv for value in table for kv in _values(value, path)]
    return [(path, table)]


def test_dlt_config_holds_the_real_providers_defaults() -> None:
    config = tomllib.loads((ROOT / ".dlt" / "config.toml").read_text())
    sources = config["sources"]
    for path, value in _values(sources):
        text = str(value).lower()
        assert "sandbox" not in text and not any(host in text for host in LOOPBACK), path
    assert "base_url" not in sources["apsis_one"] and sources["apsis_one"]["region"] == "eu"
    assert "base_url" not in sources["netcore"] and sources["netcore"]["region"] == "global"
    assert sources["maxemail"]["base_url"] == "https://mxm.xtremepush.com"
    assert "base_url" not in sources["benchmark"]  # per account: no global host
    secrets = tomllib.loads((ROOT / ".dlt" / "secrets.toml.example").read_text())
    assert _values(secrets["sources"]) == [], "the example holds no credential"


def test_the_loader_never_imports_the_sandbox() -> None:
    imports = []
    for path in sorted((ROOT / "pipelines").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            imports += [(path.name, n) for n in names if n.split(".")[0] in ("sandbox", "tests")]
    assert imports == []


def test_the_installed_package_is_the_loader_alone() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    find = project["tool"]["setuptools"]["packages"]["find"]
    packages = setuptools.find_packages(str(ROOT), include=find["include"])
    assert "pipelines" in packages and "pipelines.common" in packages
    assert not [p for p in packages if not p.startswith("pipelines")], packages
