"""Checks of the dbt project's own files that would otherwise only fail on another engine.

dbt names a unit test's temporary relation after the test; PostgreSQL cuts identifiers at 63
bytes, and the test then fails there ("Runtime Error") while it passes on DuckDB. The PostgreSQL
run (tests/test_postgres.py) is skipped where its server is not installed, so the limit is checked
here, on every machine.
"""

from __future__ import annotations

from pathlib import Path

import yaml  # type: ignore[import-untyped]

from tests.conftest import ROOT

POSTGRES_IDENTIFIER_LIMIT = 63


def unit_test_names() -> list[tuple[str, Path]]:
    names = []
    for path in sorted((ROOT / "dbt_project" / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        names += [(test["name"], path) for test in document.get("unit_tests") or []]
    return names


def test_unit_test_names_fit_postgres_identifiers() -> None:
    names = unit_test_names()
    assert len(names) > 30, "no unit tests found: did the models move?"
    too_long = [
        f"{name} ({len(name)} characters, {path.relative_to(ROOT)})"
        for name, path in names
        if len(name.encode()) > POSTGRES_IDENTIFIER_LIMIT
    ]
    assert not too_long, "unit test names longer than PostgreSQL's 63: " + ", ".join(too_long)
