"""Download an export file to disk, complete or not at all.

The body is written to a temporary file first (constant memory, and a broken or truncated transfer
is retried before a single row reaches dlt); pipelines/common/files.py then reads it. dlt has no
equivalent for export files (its REST client reads JSON pages).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import requests
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from pipelines.common.errors import ProviderError

logger = logging.getLogger(__name__)

# Temporary files are `email-elt-<pid>-<random>.download` in the system's temporary directory: a
# run that is killed (SIGKILL, SIGTERM, power loss) cannot remove its own, the next run removes
# every one whose process is gone (`remove_stale_downloads`).
DOWNLOAD_PREFIX = "email-elt-"
DOWNLOAD_SUFFIX = ".download"
_DOWNLOAD_NAME = re.compile(rf"^{DOWNLOAD_PREFIX}(?P<pid>\d+)-.*{re.escape(DOWNLOAD_SUFFIX)}$")
CHUNK = 1 << 20


class TruncatedDownload(Exception):
    """The transfer ended before the announced length, or the connection broke."""


@dataclass
class Download:
    path: str
    size: int

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def download_to_tempfile(response: requests.Response) -> Download:
    """Write a streamed response body to a temporary file; raise `TruncatedDownload` if short."""
    expected = response.headers.get("Content-Length")
    fd, path = tempfile.mkstemp(prefix=f"{DOWNLOAD_PREFIX}{os.getpid()}-", suffix=DOWNLOAD_SUFFIX)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
                size += len(chunk)
    except (requests.RequestException, Urllib3HTTPError, OSError) as exc:
        os.unlink(path)
        raise TruncatedDownload(
            f"connection broke after {size} bytes ({type(exc).__name__})"
        ) from None
    finally:
        response.close()
    if (
        expected is not None
        and int(expected) != size
        and "Content-Encoding" not in response.headers
    ):
        os.unlink(path)
        raise TruncatedDownload(f"got {size} of {expected} announced bytes")
    return Download(path, size)


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no safe liveness probe: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def remove_stale_downloads(directory: str | None = None) -> int:
    """Remove the download files of runs whose process no longer exists; return how many."""
    directory = directory or tempfile.gettempdir()
    removed = size = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            match = _DOWNLOAD_NAME.match(entry.name)
            if not match or not entry.is_file(follow_symlinks=False):
                continue
            pid = int(match["pid"])
            if pid == os.getpid() or _process_alive(pid):
                continue
            with contextlib.suppress(OSError):
                size += entry.stat(follow_symlinks=False).st_size
                os.unlink(entry.path)
                removed += 1
    if removed:
        logger.info(
            "removed %d download file(s) (%.1f MB) left in %s by an interrupted run",
            removed,
            size / 1e6,
            directory,
        )
    return removed


def download_with_retries(
    fetch: Callable[[], requests.Response],
    *,
    provider: str,
    what: str,
    attempts: int = 5,
) -> Download:
    """Call ``fetch`` (which may re-resolve a fresh URL) until a complete body arrives."""
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            return download_to_tempfile(fetch())
        except TruncatedDownload as exc:
            last = str(exc)
            logger.warning(
                "%s: download of %s incomplete (%s), attempt %d/%d",
                provider,
                what,
                last,
                attempt,
                attempts,
            )
    raise ProviderError(provider, f"download of {what} failed {attempts} times: {last}")
