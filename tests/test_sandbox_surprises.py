"""The sandbox's surprises over real HTTP (sandbox/surprises.py, docs/CONTRACTS.md 14): an APSIS
One export type, a Netcore status and a Maxemail export column the project does not know, served
on top of an unchanged world whose truth of the known events stays the same.

Hand-written `requests` clients only; no project code reads the responses.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections import Counter
from typing import Any

import requests

from tests.conftest import Sandbox

APSIS_AUTH = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
}
NETCORE_KEY = {"api_key": "sandbox-netcore-key"}
MAXEMAIL_AUTH = ("sandbox-user", "sandbox-pass")


def apsis_export(sandbox: Sandbox) -> list[dict[str, str]]:
    """Every row of the whole timeline up to the clock, in two exports (3 months at most each)."""
    return [
        *apsis_window(
            sandbox, {"start_at": "2026-01-01T00:00:00Z", "end_at": "2026-04-01T00:00:00Z"}
        ),
        *apsis_window(sandbox, {"start_at": "2026-04-01T00:00:00Z"}),
    ]


def apsis_window(sandbox: Sandbox, window: dict[str, str]) -> list[dict[str, str]]:
    base = f"{sandbox.url}/apsis_one"
    token = requests.post(f"{base}/oauth/token", json=APSIS_AUTH, timeout=10).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    created = requests.post(f"{base}/emails/reports", headers=headers, json=window, timeout=10)
    assert created.status_code == 201, created.text
    for _ in range(200):
        status = requests.get(
            f"{base}/emails/reports/{created.json()['report_id']}", headers=headers, timeout=10
        ).json()
        if status["status"] in ("completed", "error"):
            break
        time.sleep(0.05)
    assert status["status"] == "completed", status
    body = requests.get(status["file_download_url"], timeout=30).content
    return list(csv.DictReader(io.StringIO(gzip.decompress(body).decode("utf-8"))))


def netcore_rows(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every events-API row since the first campaign (one page of up to 1000, then scroll)."""
    url = f"{sandbox.url}/netcore/v6/events"
    first: dict[str, str | int] = {"startdate": "2026-02-10", "limit": 1000}
    body = requests.get(url, params=first, headers=NETCORE_KEY, timeout=30).json()
    rows = list(body["data"])
    while body["data"]:
        scroll: dict[str, str | int] = {"scrollid": str(body["scrollid"]), "limit": 1000}
        body = requests.get(url, params=scroll, headers=NETCORE_KEY, timeout=30).json()
        rows += body["data"]
    return rows


def without_surprises(truth: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in truth.items() if k not in ("unmapped_event_types", "now")}


def test_apsis_one_adds_a_copy_of_some_opens_with_a_new_type(sandbox: Sandbox) -> None:
    plain_rows, plain_truth = apsis_export(sandbox), sandbox.truth("apsis_one")
    assert plain_truth["unmapped_event_types"] == []

    sandbox.faults("apsis_one", unknown_event_every=5)
    rows, truth = apsis_export(sandbox), sandbox.truth("apsis_one")
    copies = [r for r in rows if r["type"] == "FORWARDED"]
    assert copies and len(rows) == len(plain_rows) + len(copies)
    # each copy follows its open, with the open's fields and a correlation id of its own
    opens = {r["correlation_id"]: r for r in plain_rows if r["type"] == "OPENED"}
    for copy in copies:
        original = opens[copy["correlation_id"].removesuffix("-u")]
        assert {**copy, "type": "OPENED", "correlation_id": original["correlation_id"]} in (
            original,
            {**original, "server_time": copy["server_time"]},
        )
    assert [r for r in rows if r["type"] != "FORWARDED"] == plain_rows
    # the truth counts the logical events (an open's retry row is not copied) ...
    assert truth["unmapped_event_types"] == [
        {"raw_event_type": "FORWARDED", "count": len({c["correlation_id"] for c in copies})}
    ]
    # ... and nothing else moves
    assert without_surprises(truth) == without_surprises(plain_truth)


def test_netcore_shows_a_new_status_for_some_delivered_messages(sandbox: Sandbox) -> None:
    plain_rows, plain_truth = netcore_rows(sandbox), sandbox.truth("netcore")
    assert plain_truth["unmapped_event_types"] == []

    sandbox.faults("netcore", unknown_status_every=3, unknown_status="inbox")
    rows, truth = netcore_rows(sandbox), sandbox.truth("netcore")
    changed = [(a, b) for a, b in zip(plain_rows, rows, strict=True) if a != b]
    assert changed and all(
        a["status"] == "delivered" and b == {**a, "status": "inbox"} for a, b in changed
    )
    assert truth["unmapped_event_types"] == [{"raw_event_type": "inbox", "count": len(changed)}]
    assert without_surprises(truth) == without_surprises(plain_truth)

    # the status is kept for good: a later clock shows the same messages in it
    sandbox.advance(hours=24 * 4)
    later = Counter(r["status"] for r in netcore_rows(sandbox))
    assert later["inbox"] == sandbox.truth("netcore")["unmapped_event_types"][0]["count"]
    assert later["inbox"] >= len(changed)


def test_a_known_type_or_status_is_refused_as_the_surprise(sandbox: Sandbox) -> None:
    for provider, setting in (
        ("netcore", {"unknown_status": "open"}),
        ("apsis_one", {"unknown_event_type": "opened"}),
    ):
        response = requests.post(
            f"{sandbox.url}/_sandbox/faults", json={provider: setting}, timeout=10
        )
        assert response.status_code == 400, response.text


def test_maxemail_files_gain_a_column_after_the_address(sandbox: Sandbox) -> None:
    sandbox.faults("maxemail", extra_column="list id", zip_downloads="never")
    base = f"{sandbox.url}/maxemail"
    for method in ("sent", "clicked"):
        key = requests.post(
            f"{base}/api/json/data_export_quick",
            data={"method": method},
            auth=MAXEMAIL_AUTH,
            timeout=30,
        ).json()
        text = requests.get(f"{base}/download/file/key/{key}", auth=MAXEMAIL_AUTH, timeout=30).text
        reader = csv.reader(io.StringIO(text), skipinitialspace=True)
        header = next(reader)
        assert header[:3] == ["email id", "email address", "list id"], header
        rows = list(reader)
        assert rows and all(row[2] == f"list-{row[0]}" for row in rows)
