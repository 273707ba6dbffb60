"""APSIS One dlt source: email event export (incremental by export window), sections, activities.

Grain of `email_events`: one row per row of the provider's export file (a provider retry is a row
of its own; dbt collapses it by event identity). See PROVIDERS.md section 2.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from typing import Any

import dlt

from pipelines.apsis_one.client import ApsisOneClient
from pipelines.apsis_one.config import ApsisOneConfig
from pipelines.apsis_one.exports import export_window
from pipelines.apsis_one.settings import PROVIDER, SOURCE_NAME
from pipelines.common import replace
from pipelines.common.config import resolve
from pipelines.common.windows import parse_utc, plan_windows, require_past, rfc3339

logger = logging.getLogger(__name__)


@dlt.source(name=SOURCE_NAME, max_table_nesting=1)
def apsis_one(**settings: Any) -> Any:
    """APSIS One resources for one account. ``settings``: explicit values of `ApsisOneConfig`
    (pipelines/apsis_one/config.py), over dlt's config."""
    config = resolve(ApsisOneConfig, settings)
    client = ApsisOneClient(config)
    return email_events(client, config), sections(client, config), activities(client, config)


@dlt.resource(
    name="email_events",
    # Appended as read; the rows of a re-read window that earlier exports delivered are deleted
    # after the load commits (pipelines/common/replace.py, DECISIONLOG "Append-only raw tables").
    write_disposition="append",
)
def email_events(client: ApsisOneClient, config: ApsisOneConfig) -> Iterator[Any]:
    """Every email event, exported window by window (≤ 3 months each) up to the provider's now.

    State `loaded_until` is the instant before which every event is known to be loaded. It moves
    only after a window's rows were yielded (and is committed by dlt with that load), and never
    past `now - lookback_hours`, so late-indexed events are re-read on the next run.
    """
    state = dlt.current.resource_state()
    replace.start()
    now = client.server_now()
    if config.since_at is not None:
        # A backfill restarts the cursor (it may move back) and then proceeds window by window.
        require_past(config.since_at, now, PROVIDER, "--since")
        state["loaded_until"] = rfc3339(config.since_at)
    if state.get("loaded_until"):
        resume = parse_utc(state["loaded_until"])
    else:
        require_past(config.start, now, PROVIDER, f"sources.{SOURCE_NAME}.start_date")
        resume = config.start
    start = resume
    safe_until = now - config.lookback
    windows = deque(
        plan_windows(start, now, max_months=config.window_months, max_days=config.window_days)
    )
    logger.info(
        "%s email_events: %d window(s) from %s to %s",
        PROVIDER,
        len(windows),
        rfc3339(start),
        rfc3339(now),
    )
    done = 0
    while windows:
        # Windows that can still move the cursor count against max_windows_per_run; the tail
        # inside the lookback (which cannot move it) is always read in the same run.
        limit = config.max_windows_per_run
        if limit is not None and done >= limit and resume < safe_until:
            break
        window_start, window_end = windows.popleft()
        yield from export_window(client, config, window_start, window_end)
        done += 1
        complete = min(window_end, safe_until)
        if complete > resume:
            resume = complete
            state["loaded_until"] = rfc3339(resume)
    state["caught_up"] = not windows
    state["last_run_now"] = rfc3339(now)


@dlt.resource(name="sections", write_disposition="merge", primary_key="discriminator")
def sections(client: ApsisOneClient, config: ApsisOneConfig) -> Iterator[dict[str, Any]]:
    """`GET /audience/sections`: one row per section of the account."""
    for item in client.sections():
        yield {**item, "_account_id": config.account_id}


@dlt.resource(
    name="activities",
    write_disposition="merge",
    primary_key=("section_discriminator", "id"),
    # Kept as the API's RFC 3339 text (docs/CONTRACTS.md); staging parses it on every engine.
    columns={"sent_at": {"data_type": "text"}},
)
def activities(client: ApsisOneClient, config: ApsisOneConfig) -> Iterator[list[dict[str, Any]]]:
    """`GET /emails/sections/{section}/activities`: one row per email activity (campaign).

    The list shows recent activities only; merging keeps older ones from earlier runs.
    """
    for section_item in client.sections():
        discriminator = section_item["discriminator"]
        items = client.activities(discriminator)
        yield [
            {**item, "section_discriminator": discriminator, "_account_id": config.account_id}
            for item in items
        ]
