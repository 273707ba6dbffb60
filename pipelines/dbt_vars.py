"""The dbt vars a command passes, checked against the ones dbt_project.yml declares.

dbt ignores a var nobody reads: `--vars '{maxemial_enabled: false}'` builds Maxemail as if nothing
had been passed. `python -m pipelines check --dbt-args "$DBT_ARGS"` (run by `make transform`)
stops on such a name and says which declared var is closest. dbt's Jinja cannot see the
declared vars apart from the passed ones (both merge into `var`), so the check is here rather
than in an on-run-start macro; DECISIONLOG.md "Misspelled dbt vars".
"""

from __future__ import annotations

import difflib
import shlex
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

DBT_PROJECT = Path(__file__).resolve().parent.parent / "dbt_project" / "dbt_project.yml"


def declared_vars(project: Path = DBT_PROJECT) -> list[str]:
    """The names under `vars:` in dbt_project.yml."""
    document = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
    return sorted((document.get("vars") or {}).keys())


def passed_vars(dbt_args: str) -> dict[str, Any]:
    """The vars of `--vars '<YAML>'` (or `--vars=<YAML>`) in a dbt command line; {} without."""
    words = shlex.split(dbt_args)
    text = None
    for index, word in enumerate(words):
        if word == "--vars" and index + 1 < len(words):
            text = words[index + 1]
        elif word.startswith("--vars="):
            text = word.removeprefix("--vars=")
    if text is None:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}  # dbt reports a malformed --vars itself
    return value if isinstance(value, dict) else {}


def unknown_var_errors(dbt_args: str, project: Path = DBT_PROJECT) -> list[str]:
    """One sentence per passed var that dbt_project.yml does not declare."""
    declared = declared_vars(project)
    errors = []
    for name in passed_vars(dbt_args):
        if name in declared:
            continue
        close = difflib.get_close_matches(str(name), declared, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        errors.append(
            f"unknown dbt var {name}{hint}: dbt_project.yml declares no such var and dbt would "
            "ignore it; fix the name in DBT_ARGS (the declared vars are under `vars:` in "
            "dbt_project/dbt_project.yml)"
        )
    return errors
