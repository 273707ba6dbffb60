"""What the loader shows and keeps: no credential and no recipient address in any output.

* `scrub(text)` masks what must never be printed: the values of URL query strings (APSIS One's
  signed `file_download_url` `?expires=…&sig=…`, Netcore's Download Logs `?token=…`), bearer
  and basic credentials, `key=value` / `key: value` pairs whose key names a credential, JWTs, every
  secret registered with `register_secret` (each `HttpClient` registers its configured secrets
  and the credential headers its auth hook adds), and email addresses (recipients').
* `install()` applies it to everything a library may print: every log record of every logger
  (urllib3's "Retrying … after connection broken by …: <url>" warning, dlt's, ours), its
  exception text and traceback, whatever handler is attached now or later (a log-record factory,
  not a handler filter), and the text of every warning. `HttpClient` installs it, so a library
  user of `load_provider` or of a source gets it as well as the CLI.
* dlt keeps every completed load package under its pipelines directory (`load/loaded/<id>/
  completed_jobs`: Parquet files with plain addresses). `LOAD__DELETE_COMPLETED_JOBS` defaults to
  true here, so only the package's metadata (schema, state, row counts) stays after a successful
  load; a failed or pending package is kept, it is what the next run finishes.
  `LOAD__TRUNCATE_STAGING_DATASET` defaults to true too: the merge staging tables
  (`raw_<provider>_staging`) are emptied after each load instead of keeping a second copy of the
  last batch. Set either variable to `false` to keep them (README, "What the loader keeps").
"""

from __future__ import annotations

import logging
import os
import re
import threading
import warnings
from typing import Any

# dlt reads these from the environment (config sections `load`); a user's own value wins.
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")

MASK = "***"
ADDRESS_MASK = "<address>"
MIN_SECRET_LENGTH = 4

_SECRETS: set[str] = set()
_LOCK = threading.Lock()

# A query string: `?` directly followed by `name=value` pairs (a `?` ending a sentence is not).
_QUERY = re.compile(r"\?([^\s'\"<>(){}\[\]?]*=[^\s'\"<>(){}\[\]]*)")
_QUERY_PAIR = re.compile(r"([^&=;]+)=([^&;]*)")
_BEARER = re.compile(r"(?i)\b(bearer)\s+([A-Za-z0-9._~+/=-]{8,})")
# Basic credentials: base64 with a digit or padding ("Basic authentication" stays prose)
_BASIC = re.compile(r"(?i)\b(basic)\s+(?=[A-Za-z0-9+/]*[0-9=])([A-Za-z0-9+/]{8,}={0,2})")
_NAMED_CREDENTIAL = re.compile(
    r"(?i)(\b(?:access_token|refresh_token|id_token|token|client_secret|secret|password|passwd"
    r"|api[_-]?key|x-api-key|x-apsis-auth|authorization|sig|signature)[\"']?\s*[:=]\s*[\"']?)"
    r"(?!\*\*\*)(?!(?:bearer|basic)\b)([^\s\"',;&}]+)"
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def register_secret(value: str | None) -> None:
    """Mask ``value`` in every later output (values shorter than 4 characters are ignored)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _LOCK:
            _SECRETS.add(value)


def _mask_query(match: re.Match[str]) -> str:
    return "?" + _QUERY_PAIR.sub(lambda pair: f"{pair[1]}={MASK}", match[1])


def scrub(text: str) -> str:
    """``text`` without secrets, signed query strings, credentials or email addresses."""
    if not text:
        return text
    with _LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:  # longest first: a secret containing another is masked whole
        if secret in text:
            text = text.replace(secret, MASK)
    text = _QUERY.sub(_mask_query, text)
    text = _BEARER.sub(lambda m: f"{m[1]} {MASK}", text)
    text = _BASIC.sub(lambda m: f"{m[1]} {MASK}", text)
    text = _NAMED_CREDENTIAL.sub(lambda m: f"{m[1]}{MASK}", text)
    text = _JWT.sub(MASK, text)
    return _EMAIL.sub(ADDRESS_MASK, text)


_FORMATTER = logging.Formatter()
_installed = False


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call; logging reports it itself
        return
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = scrub(_FORMATTER.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


def install() -> None:
    """Scrub every log record and warning of this process from now on (idempotent)."""
    global _installed
    with _LOCK:
        if _installed:
            return
        _installed = True
    previous_factory = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous_factory(*args, **kwargs)
        _scrub_record(record)
        return record

    logging.setLogRecordFactory(factory)
    # Both the default display of warnings and logging.captureWarnings format through this.
    previous_format = warnings.formatwarning

    def formatwarning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        line: str | None = None,
    ) -> str:
        return scrub(previous_format(message, category, filename, lineno, line))

    warnings.formatwarning = formatwarning
