"""Run provider pipelines into the warehouse: one dlt pipeline per provider, dataset raw_<provider>.

Each export window is committed in a load of its own (data, ledger rows and state together), so an
interrupted backfill keeps every finished window and a re-run continues where it stopped.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines.common import gaps, ledger, paging, state
from pipelines.common.errors import ProviderError
from pipelines.common.files import remove_stale_downloads

logger = logging.getLogger(__name__)

# provider name → (module, source function, display name, resource that pages through windows)
PROVIDERS: dict[str, tuple[str, str, str, str]] = {
    "apsis_one": ("pipelines.apsis_one", "apsis_one", "APSIS One", "email_events"),
    "maxemail": ("pipelines.maxemail", "maxemail", "Maxemail", "campaign_sent"),
    "netcore": ("pipelines.netcore", "netcore", "Netcore", "events"),
    "benchmark": ("pipelines.benchmark", "benchmark", "Benchmark Email", "contact_events"),
}

# dlt adds _dlt_load_id to Arrow tables only when asked; dbt uses it for lineage and incremental.
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")


class LoadError(RuntimeError):
    """A load failed; the message is meant for the user as is."""


@dataclass
class LoadSummary:
    provider: str
    rows: dict[str, int] = field(default_factory=dict)
    loads: int = 0
    seconds: float = 0.0
    gaps: list[gaps.Gap] = field(default_factory=list)  # ranges known not loaded (gaps.py)
    # what the run noticed and kept, one line each (a provider module's NOTICES, e.g. Maxemail's
    # new export columns); printed under the provider in the load summary
    notices: list[str] = field(default_factory=list)

    @property
    def export_jobs(self) -> int:
        return self.rows.get("export_jobs", 0)

    def add(self, row_counts: dict[str, int]) -> None:
        for table, count in row_counts.items():
            if not table.startswith("_dlt"):
                self.rows[table] = self.rows.get(table, 0) + count


class IncompleteLoad(LoadError):
    """The load committed what it could but found gaps it was not allowed to accept
    (pipelines/common/gaps.py); ``summary`` is what it loaded."""

    def __init__(self, summary: LoadSummary) -> None:
        super().__init__(gaps.message(summary.gaps))
        self.summary = summary


# The PostgreSQL connection settings, the same environment variables libpq, psql and the dbt
# profile's `postgres` target read (README "Running on your warehouse").
POSTGRES_SETTINGS = {
    "host": ("PGHOST", "127.0.0.1"),
    "port": ("PGPORT", "5432"),
    "username": ("PGUSER", "postgres"),
    "password": ("PGPASSWORD", ""),
    "database": ("PGDATABASE", "email_analytics"),
}


def postgres_credentials() -> dict[str, Any]:
    """dlt postgres credentials from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE."""
    values: dict[str, Any] = {
        key: os.environ.get(name) or default for key, (name, default) in POSTGRES_SETTINGS.items()
    }
    try:
        values["port"] = int(values["port"])
    except ValueError:
        raise ValueError(f"PGPORT must be a port number, not {values['port']!r}") from None
    return values


def warehouse_kind() -> str:
    """The warehouse chosen by WAREHOUSE (default `duckdb`), a dlt destination name."""
    return os.environ.get("WAREHOUSE", "duckdb")


def destination_for(warehouse: str | None) -> Any:
    """The dlt destination chosen by WAREHOUSE: `duckdb` (default; the file `warehouse`, else
    $WAREHOUSE_PATH), `postgres` (PG* environment variables), or any other dlt destination name,
    configured the dlt way (.dlt/secrets.toml or DESTINATION__<NAME>__CREDENTIALS)."""
    kind = warehouse_kind()
    if kind == "duckdb":
        path = warehouse or os.environ.get("WAREHOUSE_PATH", "warehouse.duckdb")
        return dlt.destinations.duckdb(os.path.abspath(path))
    if kind == "postgres":
        return dlt.destinations.postgres(credentials=postgres_credentials())
    return kind


def file_format() -> Any:
    """The load file format: Parquet into DuckDB, CSV (COPY) into PostgreSQL, else dlt's choice."""
    return {"duckdb": "parquet", "postgres": "csv"}.get(warehouse_kind())


def make_pipeline(
    provider: str, warehouse: str | None = None, pipelines_dir: str | None = None
) -> dlt.Pipeline:
    """The dlt pipeline of ``provider`` into the chosen warehouse. Its local working directory
    (state, pending packages) sits under ``pipelines_dir`` (default: dlt's) in a directory of that
    warehouse's own (pipelines/common/state.py), so warehouses never share cursors."""
    kind = warehouse_kind()
    destination = destination_for(warehouse)
    dataset = f"raw_{provider}"
    return dlt.pipeline(
        # the state stored in the warehouse is keyed by this name: `<provider>_postgres` is kept
        # for PostgreSQL (DECISIONLOG "PostgreSQL as the second engine")
        pipeline_name=provider if kind == "duckdb" else f"{provider}_{kind}",
        pipelines_dir=state.pipelines_dir_for(pipelines_dir, destination, dataset),
        destination=destination,
        dataset_name=dataset,
    )


def warehouse_location(warehouse: str | None) -> str:
    """The warehouse as the user would name it: the DuckDB file's full path, else the kind."""
    if warehouse_kind() == "duckdb":
        return os.path.abspath(warehouse or os.environ.get("WAREHOUSE_PATH", "warehouse.duckdb"))
    if warehouse_kind() == "postgres":
        pg = postgres_credentials()
        return f"PostgreSQL {pg['host']}:{pg['port']}/{pg['database']}"
    return warehouse_kind()


def _source_factory(provider: str) -> Callable[..., Any]:
    if provider not in PROVIDERS:
        raise LoadError(f"unknown provider {provider!r}; known: {', '.join(sorted(PROVIDERS))}")
    module, function, _, _ = PROVIDERS[provider]
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    while True:
        if isinstance(seen, ProviderError):
            return seen
        nxt = seen.__cause__ or seen.__context__
        if nxt is None:
            return exc if not isinstance(exc, PipelineStepFailed) else (exc.exception or exc)
        seen = nxt


def _record_failed_jobs(provider: str, warehouse: str | None, pipelines_dir: str | None) -> None:
    """Write the ledger rows of the failed extract (its package was discarded), so the ledger
    shows which export failed and why. Best effort: a locked warehouse only logs."""
    rows, ledger.FAILED_JOBS[:] = list(ledger.FAILED_JOBS), []
    if not rows:
        return
    try:
        make_pipeline(provider, warehouse, pipelines_dir).run(
            rows,
            table_name=ledger.LEDGER_TABLE,
            write_disposition="append",
            loader_file_format=file_format(),
        )
    except Exception as exc:  # the original error matters more; keep it
        logger.warning("could not record %d failed export job(s): %s", len(rows), exc)


_LOCK_HOLDER = re.compile(r"lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def explain(exc: BaseException, provider: str, warehouse: str | None) -> LoadError:
    """Turn dlt's wrapped exceptions into one clear sentence for the user."""
    display = PROVIDERS.get(provider, (None, None, provider, None))[2]
    root = _root_cause(exc)
    text = str(root)
    if "Could not set lock" in str(exc) or "Could not set lock" in text:
        holder = _LOCK_HOLDER.search(str(exc)) or _LOCK_HOLDER.search(text)
        who = f" ({holder['program']}, PID {holder['pid']})" if holder else ""
        return LoadError(
            f"{display}: the warehouse {warehouse_location(warehouse)} is locked by another "
            f"process{who}: DuckDB allows one writer at a time (a running dbt, a BI tool, another "
            "load). Close that process or wait for it to finish, then re-run the load: it finishes "
            "what this run started."
        )
    if isinstance(root, ProviderError):
        return LoadError(text)
    if isinstance(root, ConfigFieldMissingException):
        fields = ", ".join(root.fields)
        return LoadError(
            f"{display}: missing configuration {fields}. Set it in .dlt/config.toml or "
            f".dlt/secrets.toml under [sources.{provider}], or as SOURCES__{provider.upper()}__<NAME>."
        )
    return LoadError(
        f"{display}: load failed: {type(root).__name__}: {text.splitlines()[0] if text else ''}"
    )


def _run(
    pipeline: dlt.Pipeline, source: Any, summary: LoadSummary, full_refresh: bool = False
) -> None:
    """One extract, normalize and load of ``source``; its row counts go to ``summary``."""
    if pipeline.has_pending_data:  # dlt's run would load these and extract nothing: never
        raise LoadError(f"load packages pending in {pipeline.working_dir}; re-run the load")
    pipeline.run(
        source,
        loader_file_format=file_format(),
        refresh="drop_sources" if full_refresh else None,  # type: ignore[arg-type]
    )
    state.remember_committed(pipeline)
    summary.loads += 1
    trace = pipeline.last_trace
    if trace and trace.last_normalize_info:
        summary.add(trace.last_normalize_info.row_counts)


def load_provider(
    provider: str,
    *,
    warehouse: str | None = None,
    pipelines_dir: str | None = None,
    full_refresh: bool = False,
    since: str | None = None,
    max_loads: int = 1000,
    **source_kwargs: Any,
) -> LoadSummary:
    """Load one provider until its export windows have caught up with the provider's clock."""
    factory = _source_factory(provider)
    module = importlib.import_module(PROVIDERS[provider][0])
    _, _, display, paged = PROVIDERS[provider]
    summary = LoadSummary(provider)
    started = time.monotonic()
    paging.WARNED.clear()  # a capped page is warned about once per endpoint and run
    remove_stale_downloads()
    gaps.take()  # gaps of an earlier, failed load are not this load's
    notices: list[str] = getattr(module, "NOTICES", [])
    notices.clear()
    try:
        pipeline = make_pipeline(provider, warehouse, pipelines_dir)
        # Packages an interrupted run left pending are loaded first, then this run extracts as
        # usual; a local state the warehouse does not hold is never used.
        try:
            summary.loads += len(state.bind_to_destination(pipeline, display))
        except (PipelineStepFailed, state.PendingLoadFailed):
            raise
        except Exception as exc:  # reading the warehouse's state: locked, unreachable, not DuckDB
            raise explain(exc, provider, warehouse) from None
        for attempt in range(max_loads):
            first = attempt == 0
            kwargs = dict(source_kwargs)
            if since and first:
                kwargs["since"] = since  # a backfill restarts the cursor, then window by window
            kwargs.setdefault("max_windows_per_run", 1)
            source = factory(**kwargs)
            follow_up = [
                r for r in getattr(module, "FOLLOW_UP_RESOURCES", ()) if r in source.resources
            ]
            if not first:
                source = source.with_resources(paged)
            elif follow_up:
                source = source.with_resources(*[r for r in source.resources if r not in follow_up])
            ledger.FAILED_JOBS.clear()
            _run(pipeline, source, summary, full_refresh=full_refresh and first)
            resources = pipeline.state.get("sources", {}).get(provider, {}).get("resources", {})
            if resources.get(paged, {}).get("caught_up", True):
                break
            logger.info("%s: window committed, continuing", display)
        if follow_up:
            # Resources that use what the exports saw (e.g. metadata of new message ids).
            _run(pipeline, factory(**dict(source_kwargs)).with_resources(*follow_up), summary)
    except state.PendingLoadFailed as exc:
        raise LoadError(str(exc)) from None
    except (PipelineStepFailed, ProviderError, ConfigFieldMissingException) as exc:
        _record_failed_jobs(provider, warehouse, pipelines_dir)
        raise explain(exc, provider, warehouse) from None
    except Exception as exc:
        if "Could not set lock" in str(exc):
            raise explain(exc, provider, warehouse) from None
        raise
    summary.seconds = round(time.monotonic() - started, 2)
    summary.notices = list(notices)
    summary.gaps = gaps.take()  # reported by the loads above, all committed
    if any(not gap.accepted for gap in summary.gaps):
        raise IncompleteLoad(summary)
    return summary
