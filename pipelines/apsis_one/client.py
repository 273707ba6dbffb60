"""APSIS One HTTP protocol: OAuth token, async email event export, sections and activities.

PROVIDERS.md section 2. `POST /oauth/token` (client credentials, ~24 h JWT, 10 requests/minute),
`POST /emails/reports` → `report_id`, `GET /emails/reports/{id}` until `completed` or `error`,
then a short-lived signed `file_download_url` serving a gzip CSV. The token is dlt's
`OAuth2ClientCredentials` fitted to APSIS (`ApsisToken`); the export job (request, poll, download)
is ours: dlt has no equivalent (pipelines/apsis_one/exports.py).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pendulum
import requests
from dlt.common.configuration import configspec
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials

from pipelines.apsis_one.config import ApsisOneConfig
from pipelines.apsis_one.settings import PROVIDER
from pipelines.common import privacy
from pipelines.common.downloads import Download, download_with_retries
from pipelines.common.errors import ProviderAuthError, ProviderError, shape_of
from pipelines.common.http import HttpClient
from pipelines.common.windows import rfc3339

logger = logging.getLogger(__name__)

# Tokens are cached per process and (base URL, client id): the token endpoint allows only about
# 10 requests a minute per account, and a token lives about 24 hours (a run makes one source per
# export window; they share the token).
_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}
_TOKENS_LOCK = threading.Lock()
# Refresh a token this long before it expires (at most a tenth of its lifetime).
TOKEN_REFRESH_MARGIN = 60.0


def _jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT (the docs prefer it to the deprecated `expires_in`)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None


@configspec
class ApsisToken(OAuth2ClientCredentials):
    """dlt's client-credentials auth, fitted to `POST /oauth/token`: a JSON body (not a form),
    the lifetime from the JWT's `exp`, renewed ahead of it, one token per process and account,
    and the shared HTTP layer's retries and errors (`http`, set by `ApsisOneClient`)."""

    http: Any = None  # the account's HttpClient

    @property
    def cache_key(self) -> tuple[str, str]:
        return (self.http.base_url, str(self.client_id))

    def build_access_token_request(self) -> dict[str, Any]:
        return {
            "json": {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
        }

    def is_token_expired(self) -> bool:
        """Whether a new token is needed (another source of this run may have one already)."""
        with _TOKENS_LOCK:
            cached = _TOKENS.get(self.cache_key)
        if cached and cached[1] > time.time():
            self.access_token = cached[0]
            return False
        return True

    def obtain_token(self) -> None:
        with _TOKENS_LOCK:
            cached = _TOKENS.get(self.cache_key)
            if cached and cached[1] > time.time():
                self.access_token = cached[0]
                return
            try:
                response = self.http.request(
                    "POST",
                    self.access_token_url,
                    authenticated=False,
                    **self.build_access_token_request(),
                )
            except ProviderAuthError as exc:
                raise ProviderAuthError(
                    PROVIDER,
                    f"authentication failed for client_id {self.client_id!r}: "
                    f"{str(exc).removeprefix(PROVIDER + ': ')}. Check sources.apsis_one.client_id "
                    "and the client secret (SOURCES__APSIS_ONE__CLIENT_SECRET or .dlt/secrets.toml).",
                    status=exc.status,
                ) from None
            body = self.http.parse_json("POST", self.access_token_url, response)
            token = body.get("access_token") if isinstance(body, dict) else None
            if not token:
                raise ProviderError(PROVIDER, "POST /oauth/token returned no access_token")
            privacy.register_secret(token)
            expires = _jwt_expiry(token) or time.time() + self.parse_expiration_in_seconds(body)
            lifetime = max(expires - time.time(), 0.0)
            renew_at = expires - min(TOKEN_REFRESH_MARGIN, lifetime / 10)
            _TOKENS[self.cache_key] = (token, renew_at)
            self.access_token = token
            self.token_expiry = pendulum.from_timestamp(renew_at)
            logger.info("%s: obtained an access token valid for %.0f s", PROVIDER, lifetime)

    def invalidate(self) -> None:
        """Forget the token (a 401: revoked or expired early); the next call fetches one."""
        with _TOKENS_LOCK:
            _TOKENS.pop(self.cache_key, None)
        self.access_token = None


class ApsisOneClient:
    """One APSIS One account on its regional host (or ``base_url``)."""

    def __init__(self, config: ApsisOneConfig) -> None:
        self.header_auth = config.header_auth
        self.http = HttpClient(
            PROVIDER, config.host, secrets=[config.client_secret], policy=config.retry_policy()
        )
        self.token = ApsisToken(
            access_token_url="/oauth/token",
            client_id=config.client_id,
            client_secret=config.client_secret,
            http=self.http,
        )
        self.http.auth = self.token
        self.http.on_unauthorized = self.token.invalidate

    # -- metadata -----------------------------------------------------------------------------

    def server_now(self) -> datetime:
        """The provider's clock (HTTP `Date`), used as the end of the newest export window.

        Using the server's clock rather than ours keeps a skewed loader clock from asking for
        events "from the future" and advancing state past them. Falls back to the local clock.
        """
        response = self.http.request("GET", "/audience/sections")
        try:
            return parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            return datetime.now(UTC).replace(microsecond=0)

    def sections(self) -> list[dict[str, Any]]:
        return list(self.http.json("GET", "/audience/sections").get("items", []))

    def activities(self, section: str) -> list[dict[str, Any]]:
        return list(
            self.http.json("GET", f"/emails/sections/{section}/activities").get("items", [])
        )

    # -- event export -------------------------------------------------------------------------

    def request_export(
        self,
        start: datetime,
        end: datetime,
        *,
        attributes: list[dict[str, str]] | None = None,
        tags: list[dict[str, str]] | None = None,
        segment_filter: dict[str, str] | None = None,
    ) -> str:
        """`POST /emails/reports`; returns the `report_id`. 429 (pending-export or per-minute
        limit) is retried with backoff by the HTTP layer."""
        body: dict[str, Any] = {"start_at": rfc3339(start), "end_at": rfc3339(end)}
        if attributes:
            body["additional_attribute_mappings"] = attributes
        if tags:
            body["additional_tag_mappings"] = tags
        if segment_filter:
            body["segment_filter"] = segment_filter
        result = self.http.json("POST", "/emails/reports", json=body)
        report_id = result.get("report_id") or result.get("id")
        if not report_id:
            raise ProviderError(
                PROVIDER, f"POST /emails/reports returned no report_id: {shape_of(result)}"
            )
        return str(report_id)

    def export_status(self, report_id: str) -> dict[str, Any]:
        """`GET /emails/reports/{id}`; with header_auth the download token rides in a header."""
        params = {"header_auth": "true"} if self.header_auth else None
        path = f"/emails/reports/{report_id}"
        response = self.http.request("GET", path, params=params)
        status = dict(self.http.parse_json("GET", path, response))
        if "x-apsis-auth" in response.headers:
            status["_download_auth"] = response.headers["x-apsis-auth"]
        return status

    def download_export(self, report_id: str, status: dict[str, Any]) -> Download:
        """Download the completed export to a temporary file.

        A broken transfer is retried; an expired URL (403) gets a fresh one from the status
        endpoint, as the docs instruct.
        """
        current: dict[str, Any] = {"status": status, "fresh": False}

        def fetch() -> requests.Response:
            for attempt in range(1, 4):
                if current["fresh"]:
                    current["status"] = self.export_status(report_id)
                current["fresh"] = True
                url = current["status"].get("file_download_url")
                if not url:
                    raise ProviderError(
                        PROVIDER, f"export {report_id} is completed but has no file_download_url"
                    )
                headers = {"Accept": "*/*"}
                if current["status"].get("_download_auth"):
                    headers["x-apsis-auth"] = current["status"]["_download_auth"]
                try:
                    return self.http.request(
                        "GET",
                        url,
                        authenticated=False,
                        stream=True,
                        headers=headers,
                        expected=(200,),
                    )
                except ProviderAuthError:
                    if attempt == 3:
                        raise
                    logger.info(
                        "%s: download URL of export %s refused (expired?), asking for a fresh one",
                        PROVIDER,
                        report_id,
                    )
            raise AssertionError("unreachable")

        return download_with_retries(fetch, provider=PROVIDER, what=f"export {report_id}")
