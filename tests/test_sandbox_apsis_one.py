"""The APSIS One simulator over real HTTP: the protocol of PROVIDERS.md section 2 and its quirks."""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections import Counter
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests

from sandbox import SandboxServer, WorldConfig
from tests.conftest import Sandbox

CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
}
WINDOW = {"start_at": "2026-01-01T00:00:00Z", "end_at": "2026-04-01T00:00:00Z"}


class Apsis:
    """A minimal hand-written APSIS client: only requests, no project code."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.base = f"{sandbox.url}/apsis_one"
        token = requests.post(f"{self.base}/oauth/token", json=CREDENTIALS, timeout=10)
        assert token.status_code == 200, token.text
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(f"{self.base}{path}", headers=self.headers, timeout=10, **kwargs)

    def request_export(self, body: dict[str, Any]) -> requests.Response:
        return requests.post(
            f"{self.base}/emails/reports", headers=self.headers, json=body, timeout=10
        )

    def wait(self, report_id: str, query: str = "") -> requests.Response:
        for _ in range(200):
            response = self.get(f"/emails/reports/{report_id}{query}")
            if response.json()["status"] in ("completed", "error"):
                return response
            time.sleep(0.05)
        raise AssertionError(f"export {report_id} never finished")

    def export_rows(self, body: dict[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
        created = self.request_export(body)
        assert created.status_code == 201, created.text
        status = self.wait(created.json()["report_id"]).json()
        assert status["status"] == "completed", status
        download = requests.get(status["file_download_url"], timeout=30)
        assert download.status_code == 200
        assert download.content[:2] == b"\x1f\x8b"  # gzip bytes...
        assert "Content-Encoding" not in download.headers  # ...not transport-encoded
        reader = csv.reader(io.StringIO(gzip.decompress(download.content).decode("utf-8")))
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


@pytest.fixture
def apsis(sandbox: Sandbox) -> Apsis:
    return Apsis(sandbox)


def problem(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# -- authentication ------------------------------------------------------------------------------


def test_token_rejects_bad_credentials_and_requests_need_a_valid_bearer(
    sandbox: Sandbox, apsis: Apsis
) -> None:
    bad = requests.post(
        f"{apsis.base}/oauth/token", json={**CREDENTIALS, "client_secret": "nope"}, timeout=10
    )
    problem(bad, 401)
    problem(requests.get(f"{apsis.base}/audience/sections", timeout=10), 401)
    forged = {"Authorization": apsis.headers["Authorization"][:-4] + "AAAA"}
    problem(requests.get(f"{apsis.base}/audience/sections", headers=forged, timeout=10), 401)
    assert apsis.get("/audience/sections").status_code == 200


def test_tokens_expire(sandbox: Sandbox) -> None:
    sandbox.faults(token_ttl_seconds=1)
    apsis = Apsis(sandbox)
    assert apsis.get("/audience/sections").status_code == 200
    time.sleep(2.1)
    assert "expired" in problem(apsis.get("/audience/sections"), 401)["detail"]


def test_token_requests_are_rate_limited(sandbox: Sandbox) -> None:
    sandbox.faults(token_requests_per_minute=2)
    Apsis(sandbox)
    Apsis(sandbox)
    url = f"{sandbox.url}/apsis_one/oauth/token"
    problem(requests.post(url, json=CREDENTIALS, timeout=10), 429)


# -- export requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"end_at": "2026-02-01T00:00:00Z"}, "start_at is required"),
        ({"start_at": "2026-01-01T00:00:00Z", "end_at": "2026-04-01T00:00:01Z"}, "3 months"),
        ({"start_at": "2026-02-01T00:00:00Z", "end_at": "2026-01-01T00:00:00Z"}, "after"),
        ({"start_at": "2026-01-01 00:00"}, "RFC 3339"),
        ({**WINDOW, "additional_attribute_mappings": ["491874"] * 76}, "at most 75"),
        ({**WINDOW, "additional_tag_mappings": ["vip"] * 26}, "at most 25"),
        ({**WINDOW, "additional_attribute_mappings": ["999"]}, "unknown attribute_version_id"),
    ],
)
def test_export_requests_are_validated(apsis: Apsis, body: dict[str, Any], detail: str) -> None:
    assert detail in problem(apsis.request_export(body), 400)["detail"]


def test_oversized_body_is_413(apsis: Apsis) -> None:
    body = {**WINDOW, "segment_filter": {"padding": "x" * 110_000}}
    problem(apsis.request_export(body), 413)


def test_pending_export_limit_and_exports_per_minute_give_429(sandbox: Sandbox) -> None:
    sandbox.faults(pending_export_limit=1, status_delay_seconds=5)
    apsis = Apsis(sandbox)
    assert apsis.request_export(WINDOW).status_code == 201
    assert "pending" in problem(apsis.request_export(WINDOW), 429)["detail"]

    sandbox.faults(pending_export_limit=100, status_delay_seconds=0.05, exports_per_minute=2)
    assert apsis.request_export(WINDOW).status_code == 201
    assert "per minute" in problem(apsis.request_export(WINDOW), 429)["detail"]


def test_status_walks_queued_in_progress_completed(sandbox: Sandbox) -> None:
    sandbox.faults(status_delay_seconds=0.5)
    apsis = Apsis(sandbox)
    report_id = apsis.request_export(WINDOW).json()["report_id"]
    seen: list[str] = []
    for _ in range(100):
        status = apsis.get(f"/emails/reports/{report_id}").json()
        if not seen or seen[-1] != status["status"]:
            seen.append(status["status"])
        if status["status"] == "completed":
            break
        time.sleep(0.05)
    assert seen == ["queued", "in_progress", "completed"]
    assert "file_download_url" in status and "file_download_url_expires_at" in status


def test_injected_failure_ends_in_status_error(sandbox: Sandbox) -> None:
    sandbox.faults(fail_next_exports=1)
    apsis = Apsis(sandbox)
    failed = apsis.wait(apsis.request_export(WINDOW).json()["report_id"]).json()
    assert failed["status"] == "error" and "file_download_url" not in failed
    ok = apsis.wait(apsis.request_export(WINDOW).json()["report_id"]).json()
    assert ok["status"] == "completed"


# -- downloads -----------------------------------------------------------------------------------


def test_download_url_is_signed_and_expires(sandbox: Sandbox) -> None:
    sandbox.faults(download_url_ttl_seconds=1)
    apsis = Apsis(sandbox)
    status = apsis.wait(apsis.request_export(WINDOW).json()["report_id"]).json()
    url = status["file_download_url"]
    problem(requests.get(url.replace("sig=", "sig=x"), timeout=10), 403)
    assert requests.get(url, timeout=10).status_code == 200
    time.sleep(2.1)
    assert "expired" in problem(requests.get(url, timeout=10), 403)["detail"]
    fresh = apsis.get(f"/emails/reports/{status['report_id']}").json()["file_download_url"]
    assert requests.get(fresh, timeout=10).status_code == 200


def test_header_auth_moves_the_credential_into_x_apsis_auth(apsis: Apsis) -> None:
    report_id = apsis.request_export(WINDOW).json()["report_id"]
    status = apsis.wait(report_id, "?header_auth=true")
    url = status.json()["file_download_url"]
    assert "sig=" not in url
    problem(requests.get(url, timeout=10), 403)
    auth = {"x-apsis-auth": status.headers["x-apsis-auth"]}
    assert requests.get(url, headers=auth, timeout=10).status_code == 200


def test_truncated_download_breaks_the_stream(sandbox: Sandbox) -> None:
    sandbox.faults(truncate_downloads=1)
    apsis = Apsis(sandbox)
    url = apsis.wait(apsis.request_export(WINDOW).json()["report_id"]).json()["file_download_url"]
    # the file streams in chunks (no Content-Length): urllib3 notices the missing last chunk
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="ended prematurely"):
        requests.get(url, timeout=10)
    assert requests.get(url, timeout=10).status_code == 200


# -- file content ----------------------------------------------------------------------------------


def test_export_file_has_documented_columns_attributes_tags_and_quirks(
    sandbox: Sandbox, apsis: Apsis
) -> None:
    body = {
        "start_at": "2026-01-01T00:00:00Z",
        "end_at": "2026-04-01T00:00:00Z",
        "additional_attribute_mappings": [
            {
                "section_discriminator": "com.apsis1.sections.sandbox-a",
                "attribute_version_id": "491874",
            }
        ],
        "additional_tag_mappings": ["vip"],
    }
    header, rows = apsis.export_rows(body)
    assert header[:20] == [
        "activity_id", "split_id", "activity_name", "split_activity_name", "sender", "subject",
        "address", "variation", "type", "correlation_id", "event_time", "server_time", "device",
        "location", "link_id", "link_url", "link_title", "bounce_code", "unsubscribe_topic",
        "abuse_section",
    ]  # fmt: skip
    assert header[20] == "gender (version_id: 491874)"
    assert header[21].startswith("vip")
    assert {r[header[21]] for r in rows} == {"TAG", ""}
    assert {r[header[20]] for r in rows} >= {"female", "male"}

    types = Counter(r["type"] for r in rows)
    assert set(types) == {
        "SENT", "DELIVERED", "OPENED", "CLICKED", "BOUNCED", "UNSUBSCRIBED", "ABUSE"
    }  # fmt: skip
    # Every row lies in the window by server_time.
    assert all(1767225600000 <= int(r["server_time"]) < 1775001600000 for r in rows)
    # Retries: a repeated correlation_id with the same event_time and a later server_time.
    by_id: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        by_id.setdefault((r["correlation_id"], r["type"]), []).append(r)
    retries = [copies for copies in by_id.values() if len(copies) > 1]
    assert retries
    for copies in retries:
        assert len({c["event_time"] for c in copies}) == 1
        assert len({c["server_time"] for c in copies}) == len(copies)
    # event_time 0 and in 1970.
    times = [int(r["event_time"]) for r in rows]
    assert 0 in times and any(0 < t < 31_536_000_000 for t in times)
    # Type-specific cells are empty for other types.
    assert all(r["bounce_code"] == "" for r in rows if r["type"] != "BOUNCED")
    assert all(r["link_url"] == "" for r in rows if r["type"] != "CLICKED")
    assert all(r["device"] == "" for r in rows if r["type"] not in ("OPENED", "CLICKED"))
    # Device and location suffixes, and links whose URL needs CSV quoting.
    devices = {r["device"] for r in rows if r["device"]}
    assert any(":" in d for d in devices) or any(
        d not in {"TABLET", "MOBILE", "DESKTOP", "SMART_TV", "UNKNOWN"} for d in devices
    )
    assert any(len(r["location"]) > 2 for r in rows if r["location"])
    assert any("," in r["link_url"] or '"' in r["link_title"] for r in rows)
    # Split tests: sub-activities under a main activity, with a variation.
    assert any(r["split_id"] != r["activity_id"] and r["variation"] for r in rows)


def test_every_bounce_code_range_occurs(sandbox: Sandbox) -> None:
    apsis = Apsis(sandbox)
    codes: set[int] = set()
    for start, end in (
        ("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"),
    ):
        _, rows = apsis.export_rows({"start_at": start, "end_at": end})
        codes |= {int(r["bounce_code"]) for r in rows if r["type"] == "BOUNCED"}
    assert {code // 1000 for code in codes} >= {1, 2, 3, 4, 5, 9}
    assert 9999 in codes


def test_same_world_gives_identical_bytes() -> None:
    files = []
    for _ in range(2):
        with SandboxServer(WorldConfig(recipients=60, campaigns=3)) as server:
            apsis = Apsis(Sandbox(server))
            status = apsis.wait(apsis.request_export(WINDOW).json()["report_id"]).json()
            files.append(requests.get(status["file_download_url"], timeout=10).content)
    assert files[0] == files[1] and len(files[0]) > 1000


# -- clock, catalog, truth -------------------------------------------------------------------------


def test_date_header_is_the_world_clock_and_advancing_it_reveals_events(
    sandbox: Sandbox, apsis: Apsis
) -> None:
    before = parsedate_to_datetime(apsis.get("/audience/sections").headers["Date"])
    assert before.isoformat().startswith("2026-05-01")
    window = {"start_at": "2026-04-01T00:00:00Z", "end_at": "2026-06-01T00:00:00Z"}
    _, first = apsis.export_rows(window)
    sandbox.advance(hours=24 * 10)
    after = parsedate_to_datetime(apsis.get("/audience/sections").headers["Date"])
    assert (after - before).days == 10
    _, second = apsis.export_rows(window)
    assert len(second) > len(first)
    problem(
        requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_hours": -1}, timeout=10), 400
    )


def test_sections_attributes_tags_and_activities(apsis: Apsis) -> None:
    sections = apsis.get("/audience/sections").json()["items"]
    section = sections[0]["discriminator"]
    attributes = apsis.get(f"/audience/sections/{section}/attributes").json()["items"]
    assert "491874" in {a["version_id"] for a in attributes}
    tags = apsis.get(f"/audience/sections/{section}/tags").json()["items"]
    assert "vip" in {t["discriminator"] for t in tags}
    activities = apsis.get(f"/emails/sections/{section}/activities").json()["items"]
    assert activities and all(a["type"] == "email" for a in activities)
    first = activities[0]
    for form in ("section", "sections"):
        one = apsis.get(f"/emails/{form}/{section}/activities/{first['id']}")
        assert one.json() == first
    problem(apsis.get("/emails/sections/no-such-section/activities"), 404)


def test_truth_counts_match_the_export_file(sandbox: Sandbox, apsis: Apsis) -> None:
    rows: list[dict[str, str]] = []
    for start, end in (
        ("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("2026-04-01T00:00:00Z", "2026-06-01T00:00:00Z"),
    ):
        rows += apsis.export_rows({"start_at": start, "end_at": end})[1]
    truth = {r["campaign_id"]: r for r in sandbox.truth()["campaign_report"]}
    for campaign_id, report in truth.items():
        sent = {
            r["address"].lower()
            for r in rows
            if r["activity_id"] == campaign_id and r["type"] == "SENT"
        }
        assert len(sent) == report["sent_count"], campaign_id


def test_unknown_fault_settings_are_rejected(sandbox: Sandbox) -> None:
    response = requests.post(
        f"{sandbox.url}/_sandbox/faults", json={"apsis_one": {"no_such_fault": 1}}, timeout=10
    )
    assert "unknown setting" in problem(response, 400)["detail"]
    response = requests.post(
        f"{sandbox.url}/_sandbox/faults", json={"apsis_one": {"client_secret": "x"}}, timeout=10
    )
    problem(response, 400)
