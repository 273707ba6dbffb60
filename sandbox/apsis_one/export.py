"""APSIS One email event exports: request validation and export jobs.

`POST /emails/reports` fixes the content at request time (window, requested columns and the
world clock); a background thread counts the rows (the file-size limit) while
`GET /emails/reports/{id}` walks `queued → in_progress → completed | error` (PROVIDERS.md 2.2,
2.3; the vendor text is spec/apsis-one-email-event-export.txt). The file itself is generated
from the fixed spec while it is downloaded (sandbox.apsis_one.export_file), so its bytes do not
depend on when that happens.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.apsis_one.export_file import ExportWriter
from sandbox.apsis_one.surprise import UNKNOWN_TYPE
from sandbox.apsis_one.world import ApsisWorld
from sandbox.audience import Attribute, Tag
from sandbox.timeutil import add_months, parse_rfc3339, to_ms
from sandbox.web import ProblemError

# The default columns, in the documented order (PROVIDERS.md 2.3).
DEFAULT_COLUMNS = (
    "activity_id", "split_id", "activity_name", "split_activity_name", "sender", "subject",
    "address", "variation", "type", "correlation_id", "event_time", "server_time", "device",
    "location", "link_id", "link_url", "link_title", "bounce_code", "unsubscribe_topic",
    "abuse_section",
)  # fmt: skip
MAX_WINDOW_MONTHS = 3
MAX_ATTRIBUTES = 75
MAX_TAGS = 25


def _bad(detail: str) -> ProblemError:
    return ProblemError(400, "Bad Request", detail)


@dataclass(frozen=True)
class ExportSpec:
    """What an export contains: server_time in [start, end), visible at `now_ms`, plus columns."""

    start: datetime
    end: datetime
    now_ms: int
    attributes: tuple[Attribute, ...] = ()
    tags: tuple[Tag, ...] = ()
    # the surprise (sandbox.apsis_one.surprise): a copy of every n-th open with a type nobody maps
    unknown_event_every: int = 0
    unknown_event_type: str = UNKNOWN_TYPE

    def header(self) -> list[str]:
        return [
            *DEFAULT_COLUMNS,
            *(f"{a.name} (version_id: {a.version_id})" for a in self.attributes),
            *(f"{t.name} (version_id: {t.discriminator})" for t in self.tags),
        ]


def parse_export_request(body: Any, world: ApsisWorld, now: datetime) -> ExportSpec:
    """Validate a `POST /emails/reports` body at the world clock `now`; raises ProblemError(400)
    naming the problem."""
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    if "start_at" not in body:
        raise _bad("start_at is required")
    try:
        start = parse_rfc3339(body["start_at"])
        end = parse_rfc3339(body["end_at"]) if body.get("end_at") is not None else now
    except ValueError as exc:
        raise _bad(f"start_at/end_at: {exc}") from None
    if end <= start:
        raise _bad("end_at must be after start_at")
    if end > add_months(start, MAX_WINDOW_MONTHS):
        raise _bad(f"the export window must not exceed {MAX_WINDOW_MONTHS} months")
    if body.get("segment_filter") is not None and not isinstance(body["segment_filter"], dict):
        raise _bad("segment_filter must be an object")  # accepted, not applied by the sandbox
    attributes = _mapped(
        body, "additional_attribute_mappings", "attribute_version_id", MAX_ATTRIBUTES, world
    )
    tags = _mapped(body, "additional_tag_mappings", "tag_discriminator", MAX_TAGS, world)
    return ExportSpec(
        start,
        end,
        to_ms(now),
        tuple(world.attribute(a) for a in attributes),  # type: ignore[misc]
        tuple(world.tag(t) for t in tags),  # type: ignore[misc]
    )


def _mapped(body: dict[str, Any], name: str, key: str, limit: int, world: ApsisWorld) -> list[str]:
    """Ids of a mapping list (objects with section_discriminator + key, or bare ids), validated
    and de-duplicated in request order (one column per id)."""
    items = body.get(name) or []
    if not isinstance(items, list):
        raise _bad(f"{name} must be an array")
    if len(items) > limit:
        raise _bad(f"{name} has {len(items)} items; at most {limit} are allowed")
    ids: list[str] = []
    for item in items:
        if isinstance(item, dict):
            section = item.get("section_discriminator")
            if section is not None and world.section(str(section)) is None:
                raise _bad(f"{name}: unknown section_discriminator {section!r}")
            item = item.get(key)
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise _bad(f"{name}: each item needs {key}")
        known = (
            world.attribute(str(item)) if key == "attribute_version_id" else world.tag(str(item))
        )
        if known is None:
            raise _bad(f"{name}: unknown {key} {str(item)!r}")
        if str(item) not in ids:
            ids.append(str(item))
    return ids


@dataclass
class ExportJob:
    """One requested export. Its rows are counted in a background thread; `error` is set when
    the export fails (injected fault, or more rows than the file-size limit allows)."""

    report_id: str
    spec: ExportSpec
    fail: str | None = None  # an error decided at request time (fault)
    max_rows: int | None = None
    created: float = field(default_factory=time.monotonic)
    rows: int = 0
    error: str | None = None
    ready: threading.Event = field(default_factory=threading.Event)

    def build(self, world: ApsisWorld) -> None:
        """Count the rows (or decide the error); runs in its own thread."""
        try:
            if self.fail:
                self.error = self.fail
                return
            self.rows = ExportWriter(world, self.spec).row_count()
            if self.max_rows is not None and self.rows > self.max_rows:
                self.error = f"file too large: {self.rows} rows exceed the limit of {self.max_rows}"
        except Exception as exc:  # a bug must surface as status error, not a hung export
            self.error = f"export failed: {exc}"
            raise
        finally:
            self.ready.set()

    def status(self, step_seconds: float) -> str:
        """`queued` for one step, then `in_progress` (at least one step, and until the rows are
        counted), then `completed` or `error`."""
        elapsed = time.monotonic() - self.created
        if elapsed < step_seconds:
            return "queued"
        if elapsed < 2 * step_seconds or not self.ready.is_set():
            return "in_progress"
        return "error" if self.error else "completed"
