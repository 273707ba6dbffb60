"""The vendors' own files (the Benchmark OpenAPI, Maxemail's sample exports): they are not part of
this repository and sit in `../shared` beside the checkout (or where `EMAIL_ELT_VENDOR_DIR` points).

The suite runs from the repository alone, on the project's own fixtures and schemas. The checks
against the vendors' files run in addition when the files are present; when they are absent
those tests are skipped with the reason, except under `CI=true`, where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = Path(os.environ.get("EMAIL_ELT_VENDOR_DIR") or ROOT.parent / "shared")
BENCHMARK_OPENAPI = "api/benchmark-email-openapi.json"
MAXEMAIL_FIXTURES = "fixtures/maxemail"


def vendor_path(relative: str) -> Path | None:
    """The vendor file or folder if it is present, else None."""
    path = VENDOR_DIR / relative
    return path if path.exists() else None


def require_vendor(relative: str) -> Path:
    """The vendor file or folder; absent: skip the test with the reason (fail under CI=true)."""
    path = vendor_path(relative)
    if path is not None:
        return path
    reason = (
        f"vendor file {VENDOR_DIR / relative} is absent: the conformance check against it needs "
        "the vendors' files in ../shared beside the checkout (or EMAIL_ELT_VENDOR_DIR)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; required under CI=true", pytrace=False)
    pytest.skip(reason)
