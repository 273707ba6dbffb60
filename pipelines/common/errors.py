"""Errors that name the provider and endpoint, and never carry a secret."""

from __future__ import annotations

from collections.abc import Iterable


class ProviderError(RuntimeError):
    """A provider call or file failed in a way a retry will not fix.

    The message always starts with the provider's display name and names the endpoint, export or
    file, so that a user reading a failed scheduled run knows where to look.
    """

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        self.provider = provider
        self.status = status
        super().__init__(f"{provider}: {message}")


class ProviderAuthError(ProviderError):
    """Credentials were refused (HTTP 401/403)."""


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every non-trivial secret value in ``text`` by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
