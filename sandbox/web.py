"""The small HTTP vocabulary every simulated provider speaks to the router in `sandbox.server`.

A provider is an object with a URL `prefix` that turns a `Request` (path relative to its prefix)
into a `Response`, exposes fault settings, and knows its ground truth (`Provider` below). The
router owns sockets, the world-clock `Date` header and logging; providers own their protocol.
"""

from __future__ import annotations

import json
import threading
import time
import typing
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol, TypeVar


@dataclass
class Request:
    """One HTTP request as a provider sees it."""

    method: str
    path: str  # below the provider prefix, e.g. "/emails/reports"
    query: dict[str, str]  # last value wins
    headers: Mapping[str, str]  # case-insensitive (an email.message.Message)
    body: bytes
    base_url: str  # scheme://host[:port] from the Host header, for absolute URLs

    def json(self) -> Any:
        """The body parsed as JSON; raises ProblemError(400) when it is not."""
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ProblemError(400, "Bad Request", "the request body is not valid JSON") from None


@dataclass
class Response:
    """What to send. `truncate_to` sends the full Content-Length but only that many bytes, then
    closes the connection (the "broken download" fault); `reset` answers nothing and resets the
    connection (TCP RST, the "connection reset" fault); `chunks` streams a body (below)."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    truncate_to: int | None = None
    reset: bool = False
    # A body generated while it is sent (a large export file): sent with chunked transfer
    # encoding and no Content-Length, so the server holds one chunk at a time; `body` is then
    # ignored, and `truncate_to` stops the stream after that many bytes, without its last chunk.
    chunks: Iterable[bytes] | None = None


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (UTF-8)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, "application/json", dict(headers or {}))


class ProblemError(Exception):
    """An error to answer with a problem-details body `{"title", "status", "detail"}`."""

    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail = status, title, detail
        self.headers = dict(headers or {})

    def response(self) -> Response:
        payload = {"title": self.title, "status": self.status, "detail": self.detail}
        return json_response(self.status, payload, self.headers)


class Provider(Protocol):
    """A simulated provider mounted at `/<prefix>/...` by the router."""

    prefix: str

    def handle(self, request: Request) -> Response:
        """Answer one request whose path is relative to the prefix."""
        ...

    def get_faults(self) -> dict[str, Any]:
        """Current fault/behaviour settings (`GET /_sandbox/faults`)."""
        ...

    def set_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge settings (`POST /_sandbox/faults`); ValueError on unknown keys or bad types."""
        ...

    def truth(self, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Ground truth at the world clock (`GET /_sandbox/truth/<prefix>`); `query` holds the
        report marts' parameters (`as_of`, `past_days`, `timezone`: sandbox.reports.params; for
        Maxemail also `reads`, sandbox.maxemail.reads), ValueError on a bad one."""
        ...


class RateWindow:
    """Sliding one-minute request counter on the wall clock (provider rate limits)."""

    def __init__(self, window_seconds: float = 60.0) -> None:
        self.window = window_seconds
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self, limit: int) -> float | None:
        """Count a hit if fewer than `limit` happened in the window; else seconds to wait."""
        now = time.monotonic()
        with self._lock:
            while self._hits and now - self._hits[0] >= self.window:
                self._hits.popleft()
            if len(self._hits) >= limit:
                return max(self.window - (now - self._hits[0]), 0.001)
            self._hits.append(now)
            return None


def merge_settings(
    settings: Any, changes: Mapping[str, Any], *, exclude: tuple[str, ...] = ()
) -> None:
    """Merge `changes` into a settings dataclass, all or nothing.

    Keys must be fields (not in `exclude`); values must match the field's annotation (`int`,
    `float`, `bool`, `int | None`, ...), be non-negative, and bools are not numbers here.
    """
    hints = typing.get_type_hints(type(settings))
    updates: dict[str, Any] = {}
    for key, value in changes.items():
        if key in exclude or key not in hints:
            raise ValueError(f"unknown setting {key!r}; known: {sorted(set(hints) - set(exclude))}")
        allowed = typing.get_args(hints[key]) or (hints[key],)
        if value is None and type(None) in allowed:
            updates[key] = None
        elif isinstance(value, bool):
            if bool not in allowed:
                raise ValueError(f"setting {key!r} takes a number, not {value!r}")
            updates[key] = value
        elif isinstance(value, int | float) and (
            float in allowed or (int in allowed and isinstance(value, int))
        ):
            if value < 0:
                raise ValueError(f"setting {key!r} must not be negative")
            updates[key] = float(value) if float in allowed else value
        elif isinstance(value, str) and str in allowed:
            updates[key] = value
        else:
            raise ValueError(f"setting {key!r} does not take {value!r}")
    for key, value in updates.items():
        setattr(settings, key, value)


Settings = TypeVar("Settings")


def merged_settings(
    settings: Settings,
    changes: Mapping[str, Any],
    *,
    exclude: tuple[str, ...] = (),
    validate: Callable[[Settings], None] | None = None,
) -> Settings:
    """A copy of a settings dataclass with `changes` merged (`merge_settings`) and checked by
    `validate`; `settings` itself is untouched, so a rejected change leaves the faults as they were."""
    candidate = replace(settings)  # type: ignore[type-var]
    merge_settings(candidate, changes, exclude=exclude)
    if validate is not None:
        validate(candidate)
    return candidate


def visible_settings(settings: Any, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A settings dataclass as `GET /_sandbox/faults` shows it: every field but `exclude`
    (the account's credentials)."""
    return {k: v for k, v in asdict(settings).items() if k not in exclude}
