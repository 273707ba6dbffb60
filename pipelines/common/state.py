"""Bind each pipeline's local dlt state to the warehouse it loads into.

dlt keeps a pipeline's state (the incremental cursors) and its pending load packages in a local
working directory named after the pipeline, and prefers that state to the destination's whenever
it is newer. One pipeline name loading two warehouses (two checkouts, a changed WAREHOUSE_PATH)
would therefore share cursors: the second warehouse would continue from the first one's position
and never receive the events in between. So:

- the working directory is keyed by the destination (its type and data location as dlt reports it:
  the DuckDB file, PostgreSQL's host:port/database, ...; hashed, never credentials) and the dataset,
  so that each warehouse has its own local state and its own pending packages;
- before a run, the local state must be the destination's latest committed state. Packages left
  pending by an interrupted run on top of that state are loaded first; any other local state (one
  the destination never committed: a deleted, replaced or restored warehouse) is dropped with its
  packages, and dlt restores the destination's own state.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from typing import Any

import dlt
from dlt.common.destination.client import WithStateSync
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.common.destination.reference import Destination
from dlt.common.pipeline import get_dlt_pipelines_dir
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.pipeline.state_sync import load_pipeline_state_from_destination

logger = logging.getLogger(__name__)

# Local (never synced) state key: the destination state hash the local state and its pending
# packages were built on.
BUILT_ON = "email_elt_built_on"
UNKNOWN = "unknown"


class PendingLoadFailed(Exception):
    """The load an interrupted run left pending fails again; the message says what to do."""


def destination_key(destination: Any, dataset: str) -> str:
    """`<destination type>-<16 hex digits>`: the type, and a hash of the data location and dataset."""
    factory = Destination.from_reference(destination)
    if factory is None:
        raise ValueError("no destination")
    try:
        location = factory.configuration(None, accept_partial=True).data_location()  # type: ignore[arg-type]
    except Exception:  # an unresolvable location: the type and dataset alone, still verified below
        location = None
    text = f"{factory.destination_type}\n{location or ''}\n{dataset}"
    return f"{factory.destination_name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def pipelines_dir_for(base: str | None, destination: Any, dataset: str) -> str:
    """The dlt pipelines directory of this destination: ``base`` (default: dlt's, in the user's dlt
    data directory) / the destination key."""
    return os.path.join(base or get_dlt_pipelines_dir(), destination_key(destination, dataset))


def committed_hash(pipeline: dlt.Pipeline) -> str | None:
    """The version hash of the destination's latest committed state of this pipeline (dlt reads
    only states of completed loads); None when the destination holds none."""
    with pipeline.destination_client() as client:
        if not isinstance(client, WithStateSync):
            return None
        try:
            state = load_pipeline_state_from_destination(pipeline.pipeline_name, client)
        except DestinationUndefinedEntity:  # no dataset or no state table yet
            return None
    return state["_version_hash"] if state else None


def remember_committed(pipeline: dlt.Pipeline) -> None:
    """Record that the local state is the destination's committed one (after a sync or a load)."""
    pipeline.set_local_state_val(BUILT_ON, pipeline.state.get("_version_hash"))


def bind_to_destination(pipeline: dlt.Pipeline, display: str) -> list[str]:
    """Make the local state of ``pipeline`` the destination's; return the ids of the packages left
    pending by an interrupted run that were loaded now."""
    committed = committed_hash(pipeline)
    finished: list[str] = []
    built_on = pipeline.state["_local"].get(BUILT_ON, UNKNOWN)  # type: ignore[misc]
    if pipeline.has_pending_data and built_on == committed:
        finished = finish_pending(pipeline, display)
        committed = committed_hash(pipeline)
    local = pipeline.state.get("_version_hash")
    if pipeline.has_pending_data or local != committed:
        # A pending package whose state the warehouse already holds was loaded, just not filed.
        if local != committed and (pipeline.has_pending_data or not pipeline.first_run):
            logger.warning(
                "%s: the local pipeline state in %s%s is not the warehouse's latest committed "
                "state (another warehouse, or this one replaced or restored since?); it is dropped "
                "and the load continues from the warehouse's own state",
                display,
                pipeline.working_dir,
                " and its pending load" if pipeline.has_pending_data else "",
            )
        pipeline.drop()
    pipeline.sync_destination()  # dlt restores the destination's state into an empty directory
    remember_committed(pipeline)
    return finished


def finish_pending(pipeline: dlt.Pipeline, display: str) -> list[str]:
    """Normalize and load the packages an interrupted run left behind."""
    extracted = list(pipeline.list_extracted_load_packages())
    ids = extracted + list(pipeline.list_normalized_load_packages())
    logger.warning(
        "%s: finishing %d load package(s) left pending by an interrupted run (%s)",
        display,
        len(ids),
        ", ".join(ids),
    )
    try:
        if extracted:
            pipeline.normalize()
        pipeline.load()
    except PipelineStepFailed as exc:
        if "Could not set lock" in str(exc):
            raise  # a locked warehouse: the runner says so
        raise PendingLoadFailed(
            f"{display}: the load left pending by an interrupted run failed again "
            f"({_error_line(exc.exception)}). "
            "Fix the cause and re-run, or give that load up with `dlt pipeline --pipelines-dir "
            f"{pipeline.pipelines_dir} {pipeline.pipeline_name} abort-packages` (the next run "
            "then reads its windows again)."
        ) from None
    return ids


def _error_line(error: BaseException) -> str:
    """The last `Name: message` line of an error whose text may hold a traceback (dlt's failed
    jobs), else its first line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    raised = [line for line in lines if re.match(r"^[\w.]+: ", line)]
    if raised:
        return re.sub(r"^(?:\w+\.)+(?=\w+: )", "", raised[-1])
    return f"{type(error).__name__}: {lines[0] if lines else ''}"
