"""The providers' loads as Dagster assets: one asset per raw table, one multi-asset per provider.

The asset keys are `[<dlt source>, <table>]` (`["netcore", "events"]`), the key dagster-dbt gives
the dbt source of that table (`source('netcore', 'events')`), so every dbt model's upstream raw
tables are these assets (lineage dlt -> dbt). The specs come from dagster-dlt's translator over
the source's resources (a resource's key is the table it writes: Maxemail's 24 export resources
write six tables), plus the tables of `raw_<provider>` that dbt reads and no resource names: dlt's
nested tables (`events__opens`) and what the runner writes itself (the export ledger
`export_jobs`).

The body runs the project's own `load_provider` (export windows committed one by one, state bound
to the warehouse, pending packages finished first, the ledger, gaps), not dagster-dlt's
`DagsterDltResource.run`, which drops dlt's pending packages and runs the source once
(DECISIONLOG "A schedule: Dagster assets over the project's loads"). A provider is loaded whole,
so its assets are never materialised apart (`can_subset=False`).
"""

import importlib
import logging
import traceback
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.common.configuration.exceptions import ConfigFieldMissingException

from pipelines.common import privacy
from pipelines.common.errors import ProviderError
from pipelines.common.ledger import LEDGER_TABLE
from pipelines.common.runner import (
    PROVIDERS,
    IncompleteLoad,
    LoadError,
    LoadSummary,
    load_provider,
    warehouse_kind,
)

logger = logging.getLogger(__name__)

# Stand-ins for settings not set yet, only to read which resources a source has (no request is
# made): the code location loads on a fresh checkout, and the load itself then fails with the
# runner's "missing configuration ..." message.
PLACEHOLDERS = {"start_date": "2000-01-01T00:00:00Z", "base_url": "https://unset.invalid"}


def group_name(provider: str) -> str:
    """The Dagster asset group of a provider's raw tables: its dataset, `raw_<provider>`."""
    return f"raw_{provider}"


class RawTableTranslator(DagsterDltTranslator):
    """A resource's asset is the raw table it writes, keyed as dagster-dbt keys its dbt source."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        resource = data.resource
        table = resource.name if callable(resource.table_name) else str(resource.table_name)
        return (
            super()
            .get_asset_spec(data)
            .replace_attributes(
                key=AssetKey([resource.source_name, table]),
                deps=[],  # dagster-dlt's default: a made-up upstream key per resource
                group_name=group_name(resource.source_name),
                kinds={"dlt", warehouse_kind()},
                metadata={"dagster/table_name": f"raw_{resource.source_name}.{table}"},
            )
        )


def spec_source(provider: str) -> Any:
    """The provider's dlt source as the configuration builds it (Maxemail's `exports` choose its
    resources); required settings not set yet are placeholders (PLACEHOLDERS)."""
    registered = PROVIDERS[provider]
    factory = getattr(importlib.import_module(registered.module), registered.source)
    stand_ins: dict[str, str] = {}
    for _ in range(3):
        try:
            return factory(**stand_ins)
        except ConfigFieldMissingException as exc:
            stand_ins.update({name: PLACEHOLDERS.get(name, "unset") for name in exc.fields})
    return factory(**stand_ins)


def table_specs(provider: str, dbt_tables: Iterable[str] = ()) -> list[AssetSpec]:
    """One spec per raw table a load of ``provider`` writes: its resources' tables (the
    translator's), then ``dbt_tables`` (the tables of its dbt source) no resource names. A
    setting the source rejects leaves ``dbt_tables`` alone, so the code location still loads."""
    translator = RawTableTranslator()
    specs: dict[AssetKey, AssetSpec] = {}
    display = PROVIDERS[provider].display
    try:
        resources = list(spec_source(provider).selected_resources.values())
    except ProviderError as exc:  # a wrong setting: the load names it when it runs
        logger.warning("%s; %s's assets are the tables dbt reads", privacy.scrub(str(exc)), display)
        resources = []
    for resource in resources:
        spec = translator.get_asset_spec(
            DltResourceTranslatorData(resource=resource, pipeline=None)
        )
        specs.setdefault(spec.key, spec)
    for table in sorted({LEDGER_TABLE, *dbt_tables}):
        key = AssetKey([provider, table])
        if key in specs:
            continue
        if table == LEDGER_TABLE:
            what = "the export ledger (one row per export job)"
        elif "__" in table:
            what = f"dlt's nested table of {table.split('__', 1)[0]}"
        else:
            what = f"raw_{provider}.{table}, which the runner writes beside the resources"
        specs[key] = AssetSpec(
            key=key,
            description=f"{display}: {what}, written by its load.",
            group_name=group_name(provider),
            kinds={"dlt", warehouse_kind()},
            metadata={"dagster/table_name": f"raw_{provider}.{table}"},
        )
    return list(specs.values())


def _metadata(summary: LoadSummary, table: str) -> Mapping[str, Any]:
    return {
        "rows_loaded": MetadataValue.int(summary.rows.get(table, 0)),
        "provider_loads": MetadataValue.int(summary.loads),
        "provider_seconds": MetadataValue.float(summary.seconds),
    }


def provider_assets(provider: str, dbt_tables: Iterable[str] = ()) -> AssetsDefinition:
    """The multi-asset that loads ``provider`` (`python -m pipelines load <provider>`) and reports
    a materialisation of each of its raw tables; a failed or incomplete load fails it with the
    runner's message (the windows an incomplete load committed are kept)."""
    specs = table_specs(provider, dbt_tables)
    display = PROVIDERS[provider].display

    @multi_asset(
        name=f"load_{provider}",
        specs=specs,
        can_subset=False,
        description=f"{display}: `python -m pipelines load {provider}`, window by window.",
    )
    def load(context: AssetExecutionContext) -> Iterator[MaterializeResult]:
        privacy.install()  # the loader's logs are scrubbed, as the command line's
        try:
            summary = load_provider(provider)
        except IncompleteLoad as exc:
            rows = ", ".join(f"{t} {n}" for t, n in sorted(exc.summary.rows.items()))
            raise Failure(
                description=privacy.scrub(str(exc)),
                metadata={"rows_loaded_before_the_gap": rows or "none"},
                allow_retries=False,
            ) from None
        except LoadError as exc:
            raise Failure(description=privacy.scrub(str(exc)), allow_retries=False) from None
        except Exception:  # a bug, not a provider's answer: its traceback, scrubbed as the CLI's
            raise Failure(description=privacy.scrub(traceback.format_exc())) from None
        for notice in summary.notices:
            context.log.warning("%s: %s", display, notice)
        for spec in specs:
            yield MaterializeResult(
                asset_key=spec.key, metadata=_metadata(summary, spec.key.path[-1])
            )

    return load
