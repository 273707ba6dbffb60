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
from typing import Any, NamedTuple

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines.common import gaps, history, ledger, paging, replace, state
from pipelines.common.downloads import remove_stale_downloads
from pipelines.common.errors import ProviderError
from pipelines.common.memory import PeakMemory
from pipelines.common.summary import IncompleteLoad as IncompleteLoad
from pipelines.common.summary import LoadError as LoadError
from pipelines.common.summary import LoadSummary as LoadSummary
from pipelines.common.warehouse import file_format, warehouse_location
from pipelines.common.warehouse import make_pipeline as make_pipeline
from pipelines.common.warehouse import warehouse_kind as warehouse_kind

logger = logging.getLogger(__name__)


class Provider(NamedTuple):
    """A registered provider: the package of its `@dlt.source`, the source function, its name in
    messages, and the resource that pages through export windows (a load repeats until that
    resource's state says `caught_up`)."""

    module: str
    source: str
    display: str
    paged: str


# The registry: a provider's package under pipelines/ is loaded once it has a line here.
PROVIDERS: dict[str, Provider] = {
    "apsis_one": Provider("pipelines.apsis_one", "apsis_one", "APSIS One", "email_events"),
    "maxemail": Provider("pipelines.maxemail", "maxemail", "Maxemail", "campaign_sent"),
    "netcore": Provider("pipelines.netcore", "netcore", "Netcore", "events"),
    "benchmark": Provider("pipelines.benchmark", "benchmark", "Benchmark Email", "contact_events"),
}

# dlt adds _dlt_load_id to Arrow tables only when asked; dbt uses it for lineage and incremental.
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")


def _source_factory(provider: str) -> Callable[..., Any]:
    if provider not in PROVIDERS:
        raise LoadError(f"unknown provider {provider!r}; known: {', '.join(sorted(PROVIDERS))}")
    registered = PROVIDERS[provider]
    module = importlib.import_module(registered.module)
    return getattr(module, registered.source)  # type: ignore[no-any-return]


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    while True:
        if isinstance(seen, ProviderError):
            return seen
        nxt = seen.__cause__ or seen.__context__
        if nxt is None:
            return exc if not isinstance(exc, PipelineStepFailed) else (exc.exception or exc)
        seen = nxt


def _record_failed_jobs(provider: str, warehouse: str | None, pipelines_dir: str | None) -> int:
    """Write the ledger rows of the failed extract (its package was discarded), so the ledger
    shows which export failed and why; return how many. Best effort: a locked warehouse only
    logs."""
    rows, ledger.FAILED_JOBS[:] = list(ledger.FAILED_JOBS), []
    if not rows:
        return 0
    try:
        make_pipeline(provider, warehouse, pipelines_dir).run(
            rows,
            table_name=ledger.LEDGER_TABLE,
            write_disposition="append",
            loader_file_format=file_format(),
        )
    except Exception as exc:  # the original error matters more; keep it
        logger.warning("could not record %d failed export job(s): %s", len(rows), exc)
    return len(rows)


_LOCK_HOLDER = re.compile(r"lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def explain(exc: BaseException, provider: str, warehouse: str | None) -> LoadError:
    """Turn dlt's wrapped exceptions into one clear sentence for the user."""
    display = PROVIDERS[provider].display if provider in PROVIDERS else provider
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
    pipeline: dlt.Pipeline,
    source: Any,
    summary: LoadSummary,
    full_refresh: bool = False,
    replaced: set[str] | None = None,
) -> None:
    """One extract, normalize and load of ``source``; its row counts go to ``summary``. Then the
    rows its re-read windows replaced are deleted (pipelines/common/replace.py)."""
    if pipeline.has_pending_data:  # dlt's run would load these and extract nothing: never
        raise LoadError(f"load packages pending in {pipeline.working_dir}; re-run the load")
    pipeline.run(
        source,
        loader_file_format=file_format(),
        refresh="drop_sources" if full_refresh else None,  # type: ignore[arg-type]
    )
    state.remember_committed(pipeline)
    replace.apply(pipeline, source.name, replaced)
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
    """Load one provider until its export windows have caught up with the provider's clock; the
    run is recorded in `raw_<provider>.load_history` (pipelines/common/history.py)."""
    factory = _source_factory(provider)
    summary = LoadSummary(provider, PROVIDERS[provider].display)
    run = history.Run(provider)
    try:
        pipeline = _load(
            provider,
            factory,
            summary,
            warehouse,
            pipelines_dir,
            full_refresh,
            since,
            max_loads,
            source_kwargs,
        )
    except LoadError as exc:
        failed_jobs = _record_failed_jobs(provider, warehouse, pipelines_dir)
        history.record_failed(run, summary, str(exc), warehouse, pipelines_dir, failed_jobs)
        raise
    except Exception as exc:
        history.record_failed(
            run, summary, str(explain(exc, provider, warehouse)), warehouse, pipelines_dir
        )
        raise
    incomplete = any(not gap.accepted for gap in summary.gaps)
    try:
        if incomplete:
            history.record(pipeline, run, history.INCOMPLETE, summary, gaps.message(summary.gaps))
        else:
            history.record(pipeline, run, history.SUCCEEDED, summary)
    except Exception as exc:  # the data is committed; the run's record is not
        raise explain(exc, provider, warehouse) from None
    if incomplete:
        raise IncompleteLoad(summary)
    return summary


def _load(
    provider: str,
    factory: Callable[..., Any],
    summary: LoadSummary,
    warehouse: str | None,
    pipelines_dir: str | None,
    full_refresh: bool,
    since: str | None,
    max_loads: int,
    source_kwargs: dict[str, Any],
) -> dlt.Pipeline:
    """The load of ``provider`` until caught up; its counts go to ``summary``. Returns the
    provider's pipeline; raises LoadError with the user-facing message."""
    module = importlib.import_module(PROVIDERS[provider].module)
    display, paged = summary.display, PROVIDERS[provider].paged
    started = time.monotonic()
    ledger.FAILED_JOBS.clear()  # those of an earlier, failed load are not this load's
    memory = PeakMemory()
    summary.peak_is_whole_process = not memory.since_start
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
        migrate = getattr(module, "migrate_schema", None)
        if migrate is not None:
            migrate(pipeline)  # hints an earlier version stored that dlt would otherwise keep
        # The deletes a run killed after its last load did not do (repeating one is harmless).
        replaced: set[str] = set()
        replace.apply(pipeline, provider, replaced)
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
            _run(pipeline, source, summary, full_refresh and first, replaced)
            resources = pipeline.state.get("sources", {}).get(provider, {}).get("resources", {})
            if resources.get(paged, {}).get("caught_up", True):
                break
            logger.info("%s: window committed, continuing", display)
        if follow_up:
            # Resources that use what the exports saw (e.g. metadata of new message ids).
            follow = factory(**dict(source_kwargs)).with_resources(*follow_up)
            _run(pipeline, follow, summary, replaced=replaced)
    except state.PendingLoadFailed as exc:
        raise LoadError(str(exc)) from None
    except (PipelineStepFailed, ProviderError, ConfigFieldMissingException) as exc:
        raise explain(exc, provider, warehouse) from None
    except Exception as exc:
        if "Could not set lock" in str(exc):
            raise explain(exc, provider, warehouse) from None
        raise
    summary.seconds = round(time.monotonic() - started, 2)
    summary.peak_memory_mb = round(memory.mb(), 1)
    summary.notices = list(notices)
    summary.gaps = gaps.take()  # reported by the loads above, all committed
    return pipeline
