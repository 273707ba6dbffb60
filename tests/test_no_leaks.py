"""No credential and no recipient address in any output (issue 11, point 3).

Under the sandbox's `reset_downloads` fault urllib3 retries the download and logs "Retrying …
after connection broken by …: <url>" with the signed URL (APSIS One `?expires=…&sig=…`, Netcore
Download Logs `?token=…`). Everything the loader prints, logs, raises or leaves on disk is scanned
for signed query values, configured secrets, access tokens and the world's recipient addresses:
through the library (`load_provider`, pytest's log capture at DEBUG) and through the CLI
(`python -m pipelines load`, its stderr and stdout). Scrubbing rules themselves are pure and
tested by a table.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pyarrow as pa
import pytest

from pipelines.common import privacy
from pipelines.common.errors import ProviderError, shape_of
from pipelines.common.files import iter_csv_tables
from pipelines.common.runner import LoadError
from tests.conftest import ROOT, Sandbox, load_apsis, query

# A query value that is not masked: `sig=abc`, `token=abc`, `expires=123` (masked: `sig=***`).
UNMASKED_QUERY = re.compile(r"\b(sig|token|expires)=(?!\*\*\*)[^&\s'\"]+")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
SECRETS = ("sandbox-secret", "sandbox-netcore-key", "sandbox-pass", "bme_sandbox_all")


def addresses(sandbox: Sandbox) -> set[str]:
    """Every recipient address of the world, as stored and lower-cased."""
    stored = {recipient.address for recipient in sandbox.server.world.recipients}
    return stored | {address.lower() for address in stored}


def leaks_in_text(text: str, recipients: set[str]) -> list[str]:
    found = [match[0] for match in UNMASKED_QUERY.finditer(text)]
    found += [match[0][:20] for match in JWT.finditer(text)]
    found += [secret for secret in SECRETS if secret in text]
    found += sorted(address for address in recipients if address in text)[:5]
    return found


def leaks_in_files(root: Path, recipients: set[str]) -> dict[str, list[str]]:
    """Every file under ``root`` but the warehouse itself (whose raw tables hold addresses by
    design), read as bytes: a compressed file that still shows a value is a leak too."""
    found: dict[str, list[str]] = {}
    for path in root.rglob("*"):
        if not path.is_file() or path.name.startswith("warehouse.duckdb"):
            continue
        data = path.read_bytes()
        hits = [s for s in SECRETS if s.encode() in data]
        hits += [m.decode() for m in re.findall(rb"(?:sig|token)=(?!\*\*\*)[\w-]{8,}", data)]
        hits += sorted(a for a in recipients if a.encode() in data)[:3]
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


def test_download_resets_leave_no_signed_url_secret_or_address(
    sandbox: Sandbox,
    warehouse: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3's debug lines print every URL too
    recipients = addresses(sandbox)
    sandbox.faults("apsis_one", reset_downloads=1, truncate_downloads=1)
    summary = load_apsis(sandbox, warehouse, tmp_path)
    assert summary.rows["email_events"] > 0
    # the reset was retried by urllib3, whose warning names the URL it retries: masked
    assert "after connection broken" in caplog.text
    assert "sig=***" in caplog.text and "expires=***" in caplog.text

    # a download that keeps breaking fails the run, with a message that says so
    sandbox.advance(hours=24)
    sandbox.faults("apsis_one", reset_downloads=100)
    with pytest.raises(LoadError) as failed:
        load_apsis(sandbox, warehouse, tmp_path)
    assert "broke before an answer" in str(failed.value)

    out = capsys.readouterr()
    outputs = {
        "log records": caplog.text,
        "stdout": out.out,
        "stderr": out.err,
        "error": str(failed.value),
        # the ledger row of the failed export keeps the error text
        "export_jobs": " ".join(
            str(row) for row in query(warehouse, "select * from raw_apsis_one.export_jobs")
        ),
    }
    found = {name: leaks_in_text(text, recipients) for name, text in outputs.items()}
    assert not any(found.values()), found
    with capsys.disabled():
        print(next(line for line in caplog.text.splitlines() if "after connection broken" in line))
        print(failed.value)
    assert not leaks_in_files(tmp_path, recipients)
    # dlt keeps no completed job file (Parquet with plain addresses) after a successful load
    kept = list(tmp_path.glob("dlt_pipelines/*/load/loaded/*/completed_jobs/*"))
    assert kept == [], kept


def test_cli_prints_no_download_token_after_a_connection_reset(
    sandbox: Sandbox, warehouse: str, tmp_path: Path
) -> None:
    recipients = addresses(sandbox)
    sandbox.faults("netcore", reset_downloads=1)
    env = {
        **os.environ,
        "WAREHOUSE": "duckdb",
        "WAREHOUSE_PATH": warehouse,
        "DLT_DATA_DIR": str(tmp_path / "dlt"),
        **sandbox.env("netcore"),
        "SOURCES__NETCORE__DOWNLOAD_LOGS": "true",
        "SOURCES__NETCORE__POLL_INITIAL_SECONDS": "0.05",
        "SOURCES__NETCORE__POLL_MAX_SECONDS": "0.5",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", "netcore"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "after connection broken" in result.stderr and "token=***" in result.stderr
    print(next(line for line in result.stderr.splitlines() if "after connection broken" in line))
    found = {
        "stderr": leaks_in_text(result.stderr, recipients),
        "stdout": leaks_in_text(result.stdout, recipients),
    }
    assert not any(found.values()), found
    assert not leaks_in_files(tmp_path, recipients)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Retrying (Retry(total=5, read=1)) after connection broken by 'ConnectionResetError"
            "(104)': /apsis_one/_files/1.csv.gz?expires=1795970458&sig=Hlb8ABbts1R5V70e",
            "/apsis_one/_files/1.csv.gz?expires=***&sig=***",
        ),
        (
            "GET http://h/netcore/v6/logs/download/7/file?token=abcdef123 HTTP/1.1",
            "/file?token=*** HTTP/1.1",
        ),
        ("Authorization: Bearer abc.def-ghi_jkl", "Authorization: Bearer ***"),
        ("Authorization: Basic c2FuZGJveC11c2VyOnBhc3M=", "Authorization: Basic ***"),
        ("Basic authentication failed", "Basic authentication failed"),
        ('{"access_token": "eyJhbGciOi.eyJzdWIiOiJ4.sig"}', '{"access_token": "***"}'),
        ("api_key: k3y-value-1", "api_key: ***"),
        ("a record {'email': 'Ann.Lee12@Example.COM'}", "{'email': '<address>'}"),
        # plain prose and endpoints are left alone
        ("is the sandbox running? start it", "is the sandbox running? start it"),
        ("GET /emails/reports/42 returned HTTP 500", "GET /emails/reports/42 returned HTTP 500"),
        ("obtained an access token valid for 3600 s", "obtained an access token valid for 3600 s"),
    ],
)
def test_scrub_masks_credentials_and_addresses(text: str, expected: str) -> None:
    assert expected in privacy.scrub(text)


def test_registered_secrets_are_masked_in_any_text() -> None:
    privacy.register_secret("pw-only-this-test-knows")
    assert privacy.scrub("login with pw-only-this-test-knows failed") == "login with *** failed"


def test_provider_errors_never_echo_a_record() -> None:
    record = {"email": "someone@example.org", "type": "email-opened", "token": "t0ken-value"}
    error = ProviderError("Benchmark Email", f"a record has no contact_id: {record}")
    assert "someone@example.org" not in str(error) and "t0ken-value" not in str(error)
    # what the providers write about a record or a body: its shape, not its values
    assert shape_of(record) == "an object with the keys ['email', 'token', 'type']"
    assert shape_of([record, record]) == "a list of 2 item(s)"


def test_library_log_records_warnings_and_tracebacks_are_scrubbed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    privacy.install()
    caplog.set_level(logging.DEBUG)
    url = "/f.csv.gz?expires=1&sig=SIGNATURE-VALUE"
    logging.getLogger("urllib3.connectionpool").warning("Retrying after broken: %s", url)
    try:
        raise RuntimeError(f"download of {url} for ann@example.com failed")
    except RuntimeError:
        logging.getLogger("some.library").exception("unexpected")
    logging.captureWarnings(False)  # a clean start, whatever an earlier test left switched on
    logging.captureWarnings(True)
    try:
        warnings.warn(f"slow answer from {url}", UserWarning, stacklevel=1)
    finally:
        logging.captureWarnings(False)
    text = caplog.text
    assert "SIGNATURE-VALUE" not in text and "ann@example.com" not in text
    assert text.count("sig=***") == 3, text  # the warning, the traceback and the captured warning


def test_malformed_csv_rows_are_named_by_line_and_column_without_values(tmp_path: Path) -> None:
    files = {
        # Arrow's own errors quote the whole row: `Expected 3 columns, got 2: 4,bob@ex.com`
        "short_row.csv.gz": b"id,address,n\n1,ann@ex.com,3\n4,bob@ex.com\n",
        "bad_number.csv.gz": b"id,address,n\n1,ann@ex.com,3\nbob@ex.com,x,5\n",
        # the slow path (a space after each comma) reports the same way
        "spaced.csv.gz": b'id, address, n\n"1", "ann@ex.com", "3"\n"4", "bob@ex.com"\n',
    }
    messages = {}
    for name, body in files.items():
        path = tmp_path / name
        path.write_bytes(gzip.compress(body))
        with pytest.raises(ValueError) as info:
            list(iter_csv_tables(str(path), column_types={"id": pa.int64()}))
        messages[name] = str(info.value)
        assert "@ex.com" not in messages[name], messages[name]
    assert messages["short_row.csv.gz"].startswith("line 3: 2 fields where the header has 3")
    assert messages["bad_number.csv.gz"] == "line 3, column id: not a valid int64"
    assert messages["spaced.csv.gz"].startswith("line 3: 2 fields where the header has 3")
