"""APSIS One credentials in the simulator: JWT-like bearer tokens and signed download URLs.

`POST /oauth/token` issues `base64url(header).base64url(payload).base64url(HMAC-SHA256)` with
an `exp` claim (PROVIDERS.md 2.1); the download URL of a completed export is signed with
`expires` + `sig`, or, with `header_auth=true`, authorised by an `x-apsis-auth` header instead
(2.2.2). Expiry is wall-clock time: token and URL lifetimes are real-time protocol properties,
independent of the simulated world clock. The key is random per server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Issues and checks tokens and download signatures with one per-server key."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def _mac(self, message: str) -> str:
        return _b64(hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).digest())

    def issue_token(self, client_id: str, ttl_seconds: float) -> tuple[str, int]:
        """A new access token and its `exp` (epoch seconds)."""
        issued = time.time()
        expires = int(issued + ttl_seconds)
        claims = {
            "iss": "apsis-one-sandbox",
            "sub": client_id,
            "iat": int(issued),
            "exp": expires,
            "jti": secrets.token_hex(8),
        }
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{head}.{body}.{self._mac(f'{head}.{body}')}", expires

    def token_problem(self, token: str) -> str | None:
        """None for a valid, unexpired token; else why it is refused."""
        parts = token.split(".")
        if len(parts) != 3 or not hmac.compare_digest(
            parts[2], self._mac(f"{parts[0]}.{parts[1]}")
        ):
            return "the access token is invalid"
        try:
            exp = float(json.loads(_unb64(parts[1]))["exp"])
        except (ValueError, KeyError, TypeError):
            return "the access token is invalid"
        if time.time() >= exp:
            return "the access token has expired"
        return None

    def url_signature(self, report_id: str, expires: int) -> str:
        """`sig` query value of a signed download URL."""
        return self._mac(f"url:{report_id}:{expires}")

    def header_token(self, report_id: str, expires: int) -> str:
        """`x-apsis-auth` value for a header-authorised download URL."""
        return self._mac(f"header:{report_id}:{expires}")

    def download_problem(
        self, report_id: str, expires: str | None, sig: str | None, header: str | None
    ) -> str | None:
        """None when the download may proceed; else why it is refused (403)."""
        try:
            expires_at = int(expires or "")
        except ValueError:
            return "the download URL is not signed"
        if sig is not None:
            valid = hmac.compare_digest(sig, self.url_signature(report_id, expires_at))
        elif header is not None:
            valid = hmac.compare_digest(header, self.header_token(report_id, expires_at))
        else:
            return "the download URL is not signed and no x-apsis-auth header was sent"
        if not valid:
            return "the download signature is invalid"
        if time.time() >= expires_at:
            return "the download URL has expired; request the export status for a fresh one"
        return None
