"""APSIS One dlt source: email event export (incremental by export window), sections, activities.

Grain of `email_events`: one row per row of the provider's export file (a provider retry is a row
of its own; dbt collapses it by event identity). See PROVIDERS.md section 2.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa

from pipelines.apsis_one.client import ApsisOneClient
from pipelines.apsis_one.settings import (
    COLUMN_TYPES,
    MAX_ATTRIBUTES,
    MAX_TAGS,
    MAX_WINDOW_MONTHS,
    PROVIDER,
    REGION_HOSTS,
    ROW_IDENTITY,
    SOURCE_NAME,
)
from pipelines.common.errors import ProviderError
from pipelines.common.exports import poll_until_done
from pipelines.common.files import iter_csv_tables, snake_versioned_header
from pipelines.common.ledger import ExportJob
from pipelines.common.windows import (
    parse_setting,
    parse_utc,
    plan_windows,
    require_past,
    rfc3339,
    split_window,
)

logger = logging.getLogger(__name__)


@dataclass
class ExportSettings:
    """How the event export is windowed, polled and decorated (all from dlt config)."""

    account_id: str
    start_date: datetime
    window_months: int = MAX_WINDOW_MONTHS
    window_days: float | None = None
    lookback_hours: float = 24.0
    min_window_minutes: float = 60.0
    max_windows_per_run: int | None = None
    attributes: list[dict[str, str]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    poll_initial_seconds: float = 1.0
    poll_max_seconds: float = 30.0
    export_deadline_seconds: float = 3600.0
    since: datetime | None = None


def _mappings(
    values: Sequence[str | dict[str, str]], key: str, section: str | None, what: str
) -> list[dict[str, str]]:
    """Config lists of ids (or full mapping objects) → API mapping items."""
    items: list[dict[str, str]] = []
    for value in values:
        if isinstance(value, dict):
            items.append(dict(value))
        elif section is None:
            raise ProviderError(
                PROVIDER,
                f"{what} {value!r} needs sources.apsis_one.section (the section discriminator)",
            )
        else:
            items.append({"section_discriminator": section, key: str(value)})
    return items


@dlt.source(name=SOURCE_NAME, max_table_nesting=1)
def apsis_one(
    client_id: str = dlt.config.value,
    client_secret: str = dlt.secrets.value,
    base_url: str | None = None,
    region: str = "eu",
    account_id: str = "default",
    start_date: str = dlt.config.value,
    section: str | None = None,
    attribute_version_ids: Sequence[str | dict[str, str]] = (),
    tag_discriminators: Sequence[str | dict[str, str]] = (),
    window_months: int = MAX_WINDOW_MONTHS,
    window_days: float | None = None,
    lookback_hours: float = 24.0,
    min_window_minutes: float = 60.0,
    max_windows_per_run: int | None = None,
    poll_initial_seconds: float = 1.0,
    poll_max_seconds: float = 30.0,
    export_deadline_seconds: float = 3600.0,
    header_auth: bool = False,
    since: str | None = None,
    allow_gaps: bool = False,
) -> Any:
    """APSIS One resources for one account.

    ``base_url`` wins over ``region`` (`eu` → api.apsis.one, `apac` → api-apac.apsis.one).
    ``start_date`` is where the first load starts; later loads continue from state, re-reading
    the last ``lookback_hours`` for events APSIS indexes late. ``since`` forces a backfill from a
    date. ``max_windows_per_run`` lets a caller commit each export window in its own load.
    ``allow_gaps`` (the CLI's --allow-gaps) changes nothing: the export reaches any date (no known
    retention), so an APSIS One load has no gaps to accept.
    """
    del allow_gaps
    if not 1 <= window_months <= MAX_WINDOW_MONTHS:
        raise ProviderError(
            PROVIDER, f"window_months must be 1..{MAX_WINDOW_MONTHS}, got {window_months}"
        )
    if region not in REGION_HOSTS and not base_url:
        raise ProviderError(
            PROVIDER, f"unknown region {region!r}; use one of {sorted(REGION_HOSTS)}"
        )
    for name, value, minimum in (
        ("window_days", window_days, 0.0),
        ("min_window_minutes", min_window_minutes, 0.0),
        ("poll_initial_seconds", poll_initial_seconds, 0.0),
    ):
        if value is not None and value <= minimum:
            raise ProviderError(PROVIDER, f"setting {name} must be positive, got {value}")
    if lookback_hours < 0:
        raise ProviderError(PROVIDER, f"setting lookback_hours must be >= 0, got {lookback_hours}")
    attributes = _mappings(attribute_version_ids, "attribute_version_id", section, "attribute")
    tags = _mappings(tag_discriminators, "tag_discriminator", section, "tag")
    if len(attributes) > MAX_ATTRIBUTES or len(tags) > MAX_TAGS:
        raise ProviderError(
            PROVIDER, f"an export takes at most {MAX_ATTRIBUTES} attributes and {MAX_TAGS} tags"
        )
    client = ApsisOneClient(
        base_url or REGION_HOSTS[region], client_id, client_secret, header_auth=header_auth
    )
    settings = ExportSettings(
        account_id=account_id,
        start_date=parse_setting(start_date, PROVIDER, "start_date"),
        window_months=window_months,
        window_days=window_days,
        lookback_hours=lookback_hours,
        min_window_minutes=min_window_minutes,
        max_windows_per_run=max_windows_per_run,
        attributes=attributes,
        tags=tags,
        poll_initial_seconds=poll_initial_seconds,
        poll_max_seconds=poll_max_seconds,
        export_deadline_seconds=export_deadline_seconds,
        since=parse_setting(since, PROVIDER, "since") if since else None,
    )
    return (
        email_events(client, settings),
        sections(client, account_id),
        activities(client, account_id),
    )


@dlt.resource(
    name="email_events",
    write_disposition="merge",
    primary_key=ROW_IDENTITY,
)
def email_events(client: ApsisOneClient, settings: ExportSettings) -> Iterator[Any]:
    """Every email event, exported window by window (≤ 3 months each) up to the provider's now.

    State `loaded_until` is the instant before which every event is known to be loaded. It moves
    only after a window's rows were yielded (and is committed by dlt with that load), and never
    past `now - lookback_hours`, so late-indexed events are re-read on the next run.
    """
    state = dlt.current.resource_state()
    now = client.server_now()
    if settings.since is not None:
        # A backfill restarts the cursor (it may move back) and then proceeds window by window.
        require_past(settings.since, now, PROVIDER, "--since")
        state["loaded_until"] = rfc3339(settings.since)
    if state.get("loaded_until"):
        resume = parse_utc(state["loaded_until"])
    else:
        require_past(settings.start_date, now, PROVIDER, f"sources.{SOURCE_NAME}.start_date")
        resume = settings.start_date
    start = resume
    safe_until = now - timedelta(hours=settings.lookback_hours)
    windows = deque(
        plan_windows(start, now, max_months=settings.window_months, max_days=settings.window_days)
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
        limit = settings.max_windows_per_run
        if limit is not None and done >= limit and resume < safe_until:
            break
        window_start, window_end = windows.popleft()
        yield from _export_window(client, settings, window_start, window_end)
        done += 1
        complete = min(window_end, safe_until)
        if complete > resume:
            resume = complete
            state["loaded_until"] = rfc3339(resume)
    state["caught_up"] = not windows
    state["last_run_now"] = rfc3339(now)


def _export_window(
    client: ApsisOneClient, settings: ExportSettings, start: datetime, end: datetime
) -> Iterator[Any]:
    """Run one export job; on status `error` split the window in halves and retry each."""
    job = ExportJob(
        PROVIDER, "email_events", settings.account_id, window_start=start, window_end=end
    )
    what = f"export of {rfc3339(start)}..{rfc3339(end)}"
    job.report_id = client.request_export(
        start, end, attributes=settings.attributes, tags=settings.tags
    )
    what = f"export {job.report_id} ({rfc3339(start)}..{rfc3339(end)})"
    try:
        status, job.attempts = poll_until_done(
            lambda: client.export_status(job.report_id or ""),
            lambda s: s.get("status") in ("completed", "error"),
            provider=PROVIDER,
            what=what,
            initial_seconds=settings.poll_initial_seconds,
            max_seconds=settings.poll_max_seconds,
            deadline_seconds=settings.export_deadline_seconds,
        )
    except ProviderError as exc:
        job.status, job.error = "error", str(exc)
        job.ledger_item()  # kept for the failure ledger (the package is discarded)
        raise
    if status["status"] == "error":
        job.error = str(
            status.get("error") or status.get("detail") or "export ended in status error"
        )
        if end - start <= timedelta(minutes=settings.min_window_minutes):
            job.status = "error"
            yield job.ledger_item()
            raise ProviderError(
                PROVIDER,
                f"{what} ended in status error even for a window of {end - start} "
                f"({job.error}); request fewer attributes/tags or lower min_window_minutes",
            )
        job.status = "split"
        yield job.ledger_item()
        logger.warning(
            "%s: %s ended in status error; splitting the window in halves", PROVIDER, what
        )
        for half_start, half_end in split_window(start, end):
            yield from _export_window(client, settings, half_start, half_end)
        return

    download = client.download_export(job.report_id, status)
    job.bytes = download.size
    try:
        for table in iter_csv_tables(
            download.path, column_types=COLUMN_TYPES, rename=snake_versioned_header
        ):
            table = _require_identity(table, what, job.rows)
            job.rows += table.num_rows
            yield table.append_column(
                "_account_id", pa.repeat(pa.scalar(settings.account_id), table.num_rows)
            ).append_column(
                "_export_report_id", pa.repeat(pa.scalar(job.report_id), table.num_rows)
            )
    except (pa.ArrowInvalid, ValueError, OSError, EOFError) as exc:
        raise ProviderError(PROVIDER, f"{what}: the export file is malformed: {exc}") from None
    finally:
        download.remove()
    job.status = "completed"
    logger.info(
        "%s: %s completed: %d rows, %.1f kB, %d polls, %.1f s",
        PROVIDER,
        what,
        job.rows,
        job.bytes / 1024,
        job.attempts,
        job.seconds,
    )
    yield job.ledger_item()


def _require_identity(table: pa.Table, what: str, rows_before: int) -> pa.Table:
    """The batch with its row-identity fields marked non-nullable (as the merge key is); a
    missing value there is a malformed export, named with the file row it is on."""
    fields = []
    for arrow_field in table.schema:
        if arrow_field.name in ROW_IDENTITY:
            column = table.column(arrow_field.name)
            if column.null_count:
                row = rows_before + column.is_null().to_pylist().index(True) + 2  # 1-based + header
                raise ProviderError(
                    PROVIDER, f"{what}: row {row} of the export file has no {arrow_field.name}"
                )
            arrow_field = arrow_field.with_nullable(False)
        fields.append(arrow_field)
    return table.cast(pa.schema(fields))


@dlt.resource(name="sections", write_disposition="merge", primary_key="discriminator")
def sections(client: ApsisOneClient, account_id: str) -> Iterator[dict[str, Any]]:
    """`GET /audience/sections`: one row per section of the account."""
    for item in client.sections():
        yield {**item, "_account_id": account_id}


@dlt.resource(
    name="activities",
    write_disposition="merge",
    primary_key=("section_discriminator", "id"),
    # Kept as the API's RFC 3339 text (docs/CONTRACTS.md); staging parses it on every engine.
    columns={"sent_at": {"data_type": "text"}},
)
def activities(client: ApsisOneClient, account_id: str) -> Iterator[list[dict[str, Any]]]:
    """`GET /emails/sections/{section}/activities`: one row per email activity (campaign).

    The list shows recent activities only; merging keeps older ones from earlier runs.
    """
    for section_item in client.sections():
        discriminator = section_item["discriminator"]
        items = client.activities(discriminator)
        yield [
            {**item, "section_discriminator": discriminator, "_account_id": account_id}
            for item in items
        ]
