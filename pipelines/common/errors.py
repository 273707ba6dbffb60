"""Errors that name the provider and endpoint, and never carry a secret or a recipient address."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pipelines.common.privacy import scrub


class ProviderError(RuntimeError):
    """A provider call or file failed in a way a retry will not fix.

    The message always starts with the provider's display name and names the endpoint, export or
    file, so that a user reading a failed scheduled run knows where to look. It passes through
    `privacy.scrub`: whatever a caller formats into it (a record, a row, a URL), no secret, signed
    query string or email address comes out.
    """

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        self.provider = provider
        self.status = status
        super().__init__(scrub(f"{provider}: {message}"))

    # A ProviderError is the whole story. The library error it replaces (requests' names the
    # signed URL, Arrow's quotes the CSV row) is never chained, not even as the implicit
    # __context__ of a `raise ... from None`: dlt walks both links into the trace it pickles in
    # the pipeline directory, and tracebacks print them.
    @property  # type: ignore[override]
    def __cause__(self) -> BaseException | None:
        return None

    @__cause__.setter
    def __cause__(self, value: BaseException | None) -> None:
        pass

    @property  # type: ignore[override]
    def __context__(self) -> BaseException | None:
        return None

    @__context__.setter
    def __context__(self, value: BaseException | None) -> None:
        pass


class ProviderAuthError(ProviderError):
    """Credentials were refused (HTTP 401/403)."""


def shape_of(value: Any) -> str:
    """What a JSON value looks like, without its values (which may hold recipient addresses):
    for an error about a record or a body that is not what the endpoint documents."""
    if isinstance(value, Mapping):
        return f"an object with the keys {sorted(map(str, value))[:30]}"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    return f"a {type(value).__name__}" if value is not None else "null"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every non-trivial secret value in ``text`` by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
