"""The dbt project as Dagster assets (dagster-dbt): `dbt build` on the warehouse of the loads.

The profile is the one `make transform` uses: profiles.yml in $DBT_PROFILES_DIR (default: the
checkout's root, as in the Makefile), its target chosen by WAREHOUSE, the DuckDB file
$WAREHOUSE_PATH. Like `make transform`, the build runs `python -m pipelines check` first (a
locked or empty warehouse stops it with one line) and leaves dbt's unit tests out (`make test`
runs them); dbt's data tests are the assets' checks.
"""

import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.check import check_warehouse
from pipelines.dbt_summary import PROJECT_DIR
from pipelines.transform import UNIT_TESTS_OUT

ROOT = PROJECT_DIR.parent


def dbt_project() -> DbtProject:
    """The project with make transform's profile; its manifest is parsed when missing (and on
    every load under `dagster dev`)."""
    project = DbtProject(
        project_dir=PROJECT_DIR,
        profiles_dir=os.environ.get("DBT_PROFILES_DIR") or ROOT,
        target=os.environ.get("DBT_TARGET") or None,
        target_path=os.environ.get("DBT_TARGET_PATH") or "target",
    )
    if project.preparer.using_dagster_dev() or not project.manifest_path.exists():
        # dagster-dbt's own preparer runs the `dbt` on PATH; this one runs this environment's
        dbt_resource(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project


def dbt_resource(project: DbtProject) -> DbtCliResource:
    """dbt of this Python environment (as `make transform` runs it), on ``project``."""
    return DbtCliResource(
        project_dir=project, dbt_executable=str(Path(sys.executable).with_name("dbt"))
    )


def source_tables(project: DbtProject) -> dict[str, set[str]]:
    """The raw tables dbt reads, per dbt source (= dlt source) name."""
    manifest = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    tables: dict[str, set[str]] = {}
    for source in manifest["sources"].values():
        tables.setdefault(source["source_name"], set()).add(source["name"])
    return tables


class LayerTranslator(DagsterDbtTranslator):
    """dagster-dbt's keys (a source `[source, table]`, a model `[schema, model]`); the asset
    group is the model's layer (staging, intermediate, marts) or `seeds`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn") or []
        return str(fqn[1]) if len(fqn) > 2 else "dbt"


def dbt_build_assets(project: DbtProject) -> AssetsDefinition:
    """`dbt build --exclude-resource-type unit_test` over the project's seeds and models."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name="dbt_build",
        dagster_dbt_translator=LayerTranslator(),
    )
    def build(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        outcome = check_warehouse(None)
        for warning in outcome.warnings:
            context.log.warning(warning)
        if outcome.error:
            raise Failure(description=outcome.error, allow_retries=False)
        yield from dbt.cli(["build", *UNIT_TESTS_OUT], context=context).stream()

    return build
