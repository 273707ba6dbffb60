"""Every registered provider has every layer (docs/adding-a-provider.md): a registry line in the
loader, the sandbox and dbt, and the files behind each. A fifth provider registered in one layer
and missing in another fails here, naming what is missing."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml  # type: ignore[import-untyped]

from pipelines.common.runner import PROVIDERS as LOADER
from sandbox.providers import PROVIDERS as SANDBOX
from tests.conftest import ROOT

DBT = ROOT / "dbt_project"


def dbt_registry() -> dict[str, list[str]]:
    """The provider registry of macros/providers.sql: provider -> its conform entities."""
    text = (DBT / "macros" / "providers.sql").read_text()
    body = text[text.index("provider_registry()") :]
    body = body[: body.index("endmacro")]
    return {
        name: re.findall(r"'([a-z_]+)'", entities)
        for name, entities in re.findall(r"'([a-z_0-9]+)':\s*\[([^\]]*)\]", body)
    }


def missing_layers(provider: str) -> list[str]:
    """What `provider` lacks, one phrase each (empty when every layer is there)."""
    missing: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            missing.append(what)

    # loader: the package and its @dlt.source
    need(provider in LOADER, "a line in pipelines/common/runner.py PROVIDERS")
    if provider in LOADER:
        entry = LOADER[provider]
        module = importlib.import_module(entry.module)
        need(callable(getattr(module, entry.source, None)), f"{entry.module}.{entry.source}")
        for name in ("__init__.py", "client.py", "config.py"):
            need((ROOT / "pipelines" / provider / name).is_file(), f"pipelines/{provider}/{name}")
    # sandbox: the package, its generator, simulator and truth
    need(provider in SANDBOX, "a line in sandbox/providers.py")
    for name in ("__init__.py", "simulator.py", "truth.py"):
        need((ROOT / "sandbox" / provider / name).is_file(), f"sandbox/{provider}/{name}")
    # dbt: registry line, enable var, staging sources and models, conform models
    entities = dbt_registry().get(provider)
    need(entities is not None, "a line in dbt_project/macros/providers.sql provider_registry()")
    project = yaml.safe_load((DBT / "dbt_project.yml").read_text())
    need(f"{provider}_enabled" in project.get("vars", {}), f"var {provider}_enabled")
    staging = DBT / "models" / "staging" / provider
    need(
        (staging / f"_{provider}__sources.yml").is_file(),
        f"{staging.relative_to(ROOT)}/_{provider}__sources.yml",
    )
    need(any(staging.glob(f"stg_{provider}__*.sql")), f"a stg_{provider}__*.sql model")
    conform = DBT / "models" / "intermediate" / provider
    for entity in entities or ["email_events"]:
        path = conform / f"int_{provider}__{entity}.sql"
        need(path.is_file(), str(path.relative_to(ROOT)))
    need("email_events" in (entities or []), "an email_events conform model in the dbt registry")
    # docs: its configuration in the README
    need(
        f"[sources.{provider}]" in (ROOT / "README.md").read_text(),
        f"[sources.{provider}] in README.md",
    )
    return missing


def test_the_registries_name_the_same_providers() -> None:
    assert list(LOADER) == list(SANDBOX) == list(dbt_registry())


def test_every_registered_provider_has_every_layer() -> None:
    providers = set(LOADER) | set(SANDBOX) | set(dbt_registry())
    problems = {p: missing for p in sorted(providers) if (missing := missing_layers(p))}
    assert not problems, problems


def test_a_provider_missing_a_layer_is_named_with_what_it_lacks(tmp_path: Path) -> None:
    missing = missing_layers("sendgrid")
    assert "a line in pipelines/common/runner.py PROVIDERS" in missing
    assert "sandbox/sendgrid/simulator.py" in missing
    assert "a line in dbt_project/macros/providers.sql provider_registry()" in missing
    assert "[sources.sendgrid] in README.md" in missing
