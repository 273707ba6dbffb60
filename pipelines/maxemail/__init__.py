"""Maxemail dlt source: the Quick Data Export services (campaign, triggered, transactional, SMS)
× methods (sent, opened, clicked, responded, bounced, unsubscribed), and campaign metadata.

One incremental resource per service × method (`campaign_sent`, `sms_clicked`, …); all resources
of a method write one raw table (`sent`, `opened`, …) with `_message_type`. The cursor of a
resource is the latest timestamp it loaded; the next run asks for rows from a lookback before it.
Maxemail timestamps are naive account-local times: they are stored as UTC. See PROVIDERS.md 1 and
docs/CONTRACTS.md section 5.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow.compute as pc

from pipelines.common import replace
from pipelines.common.config import resolve
from pipelines.common.ledger import ExportJob
from pipelines.common.windows import LOCAL_FORMAT, parse_utc, require_past
from pipelines.maxemail.client import ExpiredKey, MaxemailClient
from pipelines.maxemail.columns import NOTICES as NOTICES  # new columns, for the load summary
from pipelines.maxemail.config import MaxemailConfig
from pipelines.maxemail.rows import ExportTarget, coerce_find, iter_export_tables
from pipelines.maxemail.settings import (
    FIND_NUMBERS,
    FIND_TIMESTAMPS,
    METHODS,
    PROVIDER,
    SOURCE_NAME,
    snake,
)

logger = logging.getLogger(__name__)

# Resources that run after the exports, in a load of their own (they use what the exports saw).
FOLLOW_UP_RESOURCES = ("campaigns",)
PENDING_IDS = "campaign_ids_to_fetch"
KEY_ATTEMPTS = 3  # an expired key is requested again this many times


@dlt.source(name=SOURCE_NAME, max_table_nesting=1)
def maxemail(**settings: Any) -> Any:
    """Maxemail Quick Data Exports and campaign metadata. ``settings``: explicit values of
    `MaxemailConfig` (pipelines/maxemail/config.py), over dlt's config."""
    config = resolve(MaxemailConfig, settings)
    client = MaxemailClient(config)
    names = config.service_names
    resources = []
    for export in config.exports:
        message_type, method = export.split(".")
        target = ExportTarget(
            message_type, names[message_type], METHODS[method], config.account_id, config.timezone
        )
        resources.append(_export_resource(client, target, config))
    resources.append(campaigns(client, config))
    return resources


def _export(
    client: MaxemailClient, target: ExportTarget, since: datetime | None, setting: str | None = None
) -> Iterator[Any]:
    """Run one export from ``since`` (UTC); yield its rows as Arrow tables and a ledger row.
    Resource state `loaded_until` (UTC) is the latest timestamp loaded. ``setting`` names where
    ``since`` came from when it was configured (`--since`, `start_date`): after the provider's
    clock it is an error."""
    zone = ZoneInfo(target.timezone)
    since_local = since.astimezone(zone).strftime(LOCAL_FORMAT) if since else None
    job = ExportJob(PROVIDER, target.resource_name, target.account_id, window_start=since)
    download = None
    for attempt in range(1, KEY_ATTEMPTS + 1):
        job.attempts = attempt
        job.report_id = client.request_export(target.service, target.method.name, since_local)
        if since is not None and setting is not None:  # the export call told the clock
            require_past(since, client.server_now(), PROVIDER, setting)
        try:
            download = client.download(job.report_id, f"{target.what} file")
            break
        except ExpiredKey as exc:
            if attempt == KEY_ATTEMPTS:
                raise
            logger.warning("%s; requesting the export again", exc)
    assert download is not None
    job.bytes = download.size
    timestamp = snake(target.method.timestamp)
    latest: Any = None
    try:
        for table in iter_export_tables(download.path, target, job.report_id or ""):
            job.rows += table.num_rows
            batch_max = pc.max(table.column(timestamp)).as_py()
            if batch_max is not None and (latest is None or batch_max > latest):
                latest = batch_max
            yield table
            _remember_ids(pc.unique(table.column("email_id")).to_pylist(), target.message_type)
    finally:
        download.remove()
    job.window_end = latest
    job.status = "completed"
    # The file holds every row with a timestamp from `since`, but an `opened` or `clicked` row
    # carries a pair's latest event at the read and the earlier ones stay (CONTRACTS 5.3): this
    # export replaces only the earlier rows it holds again, key for key.
    method = target.method
    replace.remember(
        method.name,
        export_column="_export_key",
        export_id=job.report_id or "",
        time_column=timestamp,
        start_at=since.replace(microsecond=0).astimezone(UTC).isoformat() if since else None,
        match={"_account_id": target.account_id, "_message_type": target.message_type},
        same_key=[k for k in method.primary_key if k != "_message_type"],
    )
    logger.info(
        "%s: %s from %s: %d rows, %.1f kB, %.1f s",
        PROVIDER,
        target.what,
        since_local or "the beginning",
        job.rows,
        job.bytes / 1024,
        job.seconds,
    )
    if latest is not None:
        state = dlt.current.resource_state()
        previous = parse_utc(state["loaded_until"]) if state.get("loaded_until") else None
        if previous is None or latest > previous:
            state["loaded_until"] = latest.astimezone(UTC).isoformat()
    yield job.ledger_item()


def _remember_ids(email_ids: list[str], message_type: str) -> None:
    """Remember message ids for the `campaigns` follow-up, in source state (committed with the
    rows that mention them)."""
    pending = dlt.current.source_state().setdefault(PENDING_IDS, {})
    for email_id in email_ids:
        pending[str(email_id)] = message_type


def _export_resource(client: MaxemailClient, target: ExportTarget, config: MaxemailConfig) -> Any:
    """The resource of one service × method export (`campaign_sent`, …) into its method's table."""
    method = target.method

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        replace.start()
        if config.since_at is not None:
            since, setting = config.since_at, "--since"
        elif state.get("loaded_until"):
            since, setting = parse_utc(state["loaded_until"]) - config.lookback, None
        else:
            since, setting = config.start, f"sources.{SOURCE_NAME}.start_date"
        yield from _export(client, target, since, setting)

    return dlt.resource(
        rows,
        name=target.resource_name,
        table_name=method.name,
        # appended as read; rows a re-read replaced are deleted after the load commits
        # (pipelines/common/replace.py, DECISIONLOG "Append-only raw tables")
        write_disposition="append",
    )


@dlt.resource(
    name="campaigns",
    write_disposition="merge",
    primary_key="email_id",
    columns={
        **{name: {"data_type": "bigint", "nullable": True} for name in FIND_NUMBERS},
        **{name: {"data_type": "timestamp", "nullable": True} for name in FIND_TIMESTAMPS},
    },
)
def campaigns(client: MaxemailClient, config: MaxemailConfig) -> Iterator[dict[str, Any]]:
    """`email_campaign.find` once for each message id the exports saw since the last run (their
    totals may have moved), each id once per run."""
    pending: dict[str, str] = dlt.current.source_state().get(PENDING_IDS, {})
    fetched_at = datetime.now(UTC)
    for email_id, message_type in sorted(pending.items(), key=lambda item: int(item[0])):
        found = client.find_email(email_id)
        yield coerce_find(found, message_type, config.account_id, fetched_at, config.timezone)
    pending.clear()
