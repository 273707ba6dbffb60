"""How a provider's calls are retried: dlt's retrying session for a busy API, urllib3 below it for
the transport (pipelines/common/http.py; DECISIONLOG.md, "dlt's pieces in the loader").

dlt's `Client` retries 429 and 500/502/503/504 with waits doubling from `backoff_factor`, or the
server's `Retry-After` when it sends one; a `Retry-After` longer than `max_retry_after` is not
waited (the call fails at once with the provider's words: Benchmark's monthly quota answers with
the seconds until the next month). dlt counts every failure against one budget of attempts, so
the transport's own failures are retried by urllib3 in the session's adapter instead, on budgets of
their own: a host that cannot be reached `connect_retries` times (about 2 s: waiting does not fix
a wrong `base_url`), a connection broken before the answer `READ_RETRIES` times.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests
from dlt.sources.helpers.requests import Client
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)
CONNECT_TIMEOUT = 5.0  # seconds to open a connection
# Retries of a request whose connection broke before an answer (a reset, a dropped keep-alive).
READ_RETRIES = 2
NO_LIMIT = 10.0**9  # seconds: "wait whatever Retry-After says"


@dataclass(frozen=True)
class RetryPolicy:
    """How one provider's calls are retried and timed out (pipelines.common.config sets it)."""

    timeout: float = 60.0
    connect_timeout: float = CONNECT_TIMEOUT
    max_attempts: int = 7
    backoff_factor: float = 1.0
    connect_retries: int = 2
    max_retry_after: float | None = None  # a longer Retry-After fails at once; None: any

    def should_retry(self, response: requests.Response | None, _: BaseException | None) -> bool:
        """dlt's retry predicate: a retryable status whose `Retry-After` is within the limit."""
        if response is None or response.status_code not in RETRY_STATUSES:
            return False
        after = retry_after(response)
        return self.max_retry_after is None or after is None or after <= self.max_retry_after


def retry_after(response: requests.Response) -> float | None:
    """The seconds `Retry-After` asks to wait (a number or an HTTP date), None when absent."""
    header = (response.headers.get("Retry-After") or "").strip()
    if header.isdigit():
        return float(header)
    try:
        return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def retrying_session(policy: RetryPolicy) -> requests.Session:
    """dlt's retrying session for ``policy``, with urllib3's transport retries below it."""
    session: requests.Session = Client(
        request_timeout=(min(policy.connect_timeout, policy.timeout), policy.timeout),
        raise_for_status=False,
        status_codes=(),  # policy.should_retry decides (it refuses a Retry-After over the limit)
        exceptions=(),  # transport failures: urllib3, below
        request_max_attempts=policy.max_attempts,
        retry_condition=policy.should_retry,
        request_backoff_factor=policy.backoff_factor,
        request_max_retry_delay=policy.max_retry_after or NO_LIMIT,
        respect_retry_after_header=True,
    ).session
    transport = Retry(
        total=policy.max_attempts - 1,
        connect=policy.connect_retries,
        read=READ_RETRIES,
        status_forcelist=(),
        respect_retry_after_header=False,  # statuses are dlt's
        backoff_factor=policy.backoff_factor,
        allowed_methods=None,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=transport)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
