"""The Benchmark Email simulator over real HTTP: PROVIDERS.md section 4, docs/CONTRACTS.md 7.1.
Every response body is checked against the project's response schemas (tests/schemas/benchmark/)
and, when the vendor's file is present, against the official OpenAPI too
(`../shared/api/benchmark-email-openapi.json`; tests/benchmark_schemas.py, tests/vendor.py).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import requests

from sandbox import SandboxServer, World, WorldConfig
from sandbox.benchmark.settings import KEYS, SCOPES
from sandbox.reports.periods import diff
from sandbox.reports.periods import rate as _rate
from tests.benchmark_schemas import OPENAPI, PROJECT, ROUTES, UNDOCUMENTED, OpenApi
from tests.conftest import SMALL_WORLD, Sandbox
from tests.vendor import BENCHMARK_OPENAPI, require_vendor

ALL, NOREPORTS = "bme_sandbox_all", "bme_sandbox_noreports"
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-Monthly-Limit",
    "X-Monthly-Remaining",
)
HISTOGRAM_TYPES = (
    "email-sent",
    "email-delivered",
    "email-bounced",
    "first-contact-unsubscribed",
    "first-email-complaint",
    "first-email-opened",
    "first-email-clicked",
)


class Bme:
    """A minimal Benchmark client (requests only) that validates every response it gets."""

    def __init__(self, url: str, key: str | None = ALL) -> None:
        self.url, self.key = f"{url}/benchmark", key

    def get(
        self, path: str, *, key: str | None = "", strict: bool = True, **params: Any
    ) -> requests.Response:
        """GET with the client's key (or ``key``; None sends none); `strict` forbids fields the
        spec does not list."""
        api_key = self.key if key == "" else key
        headers = {"X-API-Key": api_key} if api_key else {}
        response = requests.get(f"{self.url}{path}", params=params, headers=headers, timeout=30)
        check(response, strict=strict)
        if response.status_code == 200:
            for name in RATE_HEADERS:
                assert response.headers[name].isdigit(), (name, response.headers)
        return response

    def ok(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def all_pages(self, path: str, size: int = 100, **params: Any) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.ok(path, page=page, size=size, **params)
            records.extend(body["records"])
            if page * size >= body["total"]:
                assert len(records) == body["total"]
                return records
            assert len(body["records"]) == size
            page += 1

    def post(self, path: str, body: Any, *, key: str | None = "") -> requests.Response:
        """POST a JSON body (`body` bytes are sent as they are); validated like `get`."""
        api_key = self.key if key == "" else key
        headers = {"X-API-Key": api_key} if api_key else {}
        url = f"{self.url}{path}"
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/json"
            response = requests.post(url, data=body, headers=headers, timeout=30)
        else:
            response = requests.post(url, json=body, headers=headers, timeout=30)
        check(response)
        if response.status_code == 200:
            for name in RATE_HEADERS:
                assert response.headers[name].isdigit(), (name, response.headers)
        return response

    def contacts(self, size: int = 100, sort: str = "createdAt:desc") -> list[dict[str, Any]]:
        """Every contact of `POST /api/contact/search`, page by page."""
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self.post("/api/contact/search", {"page": page, "size": size, "sort": sort})
            assert response.status_code == 200, response.text
            body = response.json()
            records.extend(body["contacts"])
            if page * size >= body["totalRecords"]:
                assert len(records) == body["totalRecords"]
                return records
            assert len(body["contacts"]) == size
            page += 1

    def campaigns(self) -> list[dict[str, Any]]:
        return self.all_pages("/api/email/campaign")

    def events(self, past_days: int = 90, **params: Any) -> list[dict[str, Any]]:
        return self.all_pages("/api/contact/events", pastDays=past_days, **params)


def check(response: requests.Response, *, strict: bool = True) -> None:
    """The body against the project's schema of its route (or the error envelope), and against
    the official OpenAPI when it is present (`strict`: no field the OpenAPI does not list)."""
    path = response.request.path_url.split("?")[0].removeprefix("/benchmark")
    PROJECT.validate(response.request.method or "GET", path, response.status_code, response.json())
    if OPENAPI is not None:
        OPENAPI.validate(response, "/benchmark", strict=strict)


def expect_error(response: requests.Response, status: int, error_type: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    error = response.json()["errors"][0]
    assert error["errorType"] == error_type
    return dict(error)


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One sandbox for the tests that only read (faults and the clock stay as they are)."""
    with SandboxServer(WorldConfig(**SMALL_WORLD)) as server:
        yield Sandbox(server)


@pytest.fixture
def bme(shared: Sandbox) -> Bme:
    return Bme(shared.url)


def by_status(bme: Bme) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in bme.campaigns():
        result[record["status"]].append(record)
    return result


# -- conformance -----------------------------------------------------------------------------------


@pytest.fixture
def openapi() -> OpenApi:
    """The official OpenAPI: skipped with the reason when ../shared is absent, failed under
    CI=true (tests/vendor.py)."""
    require_vendor(BENCHMARK_OPENAPI)
    assert OPENAPI is not None
    return OPENAPI


def test_project_schemas_reject_what_the_project_does_not_rely_on() -> None:
    for name, schema in PROJECT.schemas.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert name in {*ROUTES.values(), "error.json", "common.json"}, f"{name} is not used"
    time_ = "2026-03-01T09:00:00.000Z"
    record = {
        "_id": "a" * 24,
        "name": "n",
        "status": "sent",
        "createdAt": time_,
        "updatedAt": time_,
    }
    opens = {"unique": 1, "rate": 50.0}
    campaigns = PROJECT.validator("campaign_list.json")
    assert not list(campaigns.iter_errors({"total": 1, "records": [record]}))
    for bad in (
        {"total": "1", "records": [record]},  # a total as text
        {"total": 1},  # no records
        {"total": 1, "records": [{**record, "status": "archived"}]},  # an unknown status
        {"total": 1, "records": [{**record, "invented": 1}]},  # a field nobody serves
        {"total": 1, "records": [{k: v for k, v in record.items() if k != "_id"}]},  # no key
        {"total": 1, "records": [{**record, "createdAt": "2026-03-01 09:00:00"}]},  # not RFC 3339
        {
            "total": 1,
            "records": [
                {
                    **record,
                    "stats": {
                        "sent": 2,
                        "delivered": 2,
                        "opens": {**opens, "rate": 101.0},  # a rate above 100
                        "clicks": opens,
                    },
                }
            ],
        },
    ):
        assert list(campaigns.iter_errors(bad)), bad
    events = PROJECT.validator("contact_events.json")
    event = {"contactId": "b" * 24, "type": "email-opened", "timestamp": time_}
    assert not list(events.iter_errors({"total": 1, "records": [event]}))
    assert list(events.iter_errors({"total": 1, "records": [{**event, "type": "email-read"}]}))
    assert list(events.iter_errors({"total": 1, "records": [{"contactId": "b" * 24}]}))
    errors = PROJECT.validator("error.json")
    problem = {"errorType": "ValidationError", "message": "size: at most 100", "field": "size"}
    assert not list(errors.iter_errors({"errors": [problem]}))
    assert list(errors.iter_errors({"errors": []}))
    assert list(errors.iter_errors({"errors": [{"message": "no type"}]}))
    # A concrete path finds its route's schema (literal segments first); a 4xx the envelope.
    assert PROJECT.schema_name("GET", "/api/reports/email/overall", 200) == "report_overall.json"
    assert PROJECT.schema_name("GET", f"/api/reports/email/{'c' * 24}", 200) == (
        "report_campaign.json"
    )
    assert PROJECT.schema_name("POST", "/api/contact/search", 400) == "error.json"
    with pytest.raises(AssertionError, match="not a known route"):
        PROJECT.schema_name("GET", "/api/email/template", 200)


@pytest.mark.vendor
def test_the_openapi_helper_rejects_what_the_spec_does_not_allow(openapi: OpenApi) -> None:
    schema = openapi.schema("/api/email/campaign", "GET", 200, strict=True)
    validator = jsonschema.Draft4Validator(schema, format_checker=openapi.checker)
    assert not list(validator.iter_errors({"total": 1, "records": [{"subStatus": None}]}))
    assert list(validator.iter_errors({"total": "1", "records": []}))  # wrong type
    assert list(validator.iter_errors({"total": 1, "records": [{"subStatus": "x"}]}))  # enum
    assert list(validator.iter_errors({"total": 1, "records": [{"cancelledAt": 3}]}))
    assert list(validator.iter_errors({"total": 1, "invented": True}))  # strict
    histogram = openapi.schema("/api/reports/email/{id}/engagement", "GET", 200, strict=True)
    bad_date = {"start": "yesterday", "histogram": []}
    assert list(
        jsonschema.Draft4Validator(histogram, format_checker=openapi.checker).iter_errors(bad_date)
    )


@pytest.mark.vendor
def test_project_schemas_agree_with_the_openapi(openapi: OpenApi) -> None:
    """Every route of the project is one of the OpenAPI's, and the project's schema of its body
    allows no field, type or enum value the OpenAPI does not (but the ASSUMPTION UNDOCUMENTED,
    which must still be needed)."""
    for (method, template), name in ROUTES.items():
        assert method.lower() in openapi.document["paths"].get(template, {}), (method, template)
        spec = openapi.schema(template, method, 200, strict=False)
        problems = set(PROJECT.differences(name, PROJECT.schemas[name], spec))
        allowed = {
            f".{key}: not in the OpenAPI" for key in UNDOCUMENTED.get((method, template), ())
        }
        assert problems == allowed, f"{name} against {method} {template}: {sorted(problems)}"
    # The comparison finds a field, a type and an enum value the OpenAPI does not have.
    wrong = json.loads(json.dumps(PROJECT.schemas["campaign.json"]))
    wrong["properties"].update(
        invented={"type": "string"},
        totalRecipients={"type": "string"},
        subStatus={"type": "string", "enum": ["paused-by-admin"]},
    )
    spec = openapi.schema("/api/email/campaign/{campaignId}", "GET", 200, strict=False)
    problems = set(PROJECT.differences("campaign.json", wrong, spec))
    assert {
        ".invented: not in the OpenAPI",
        ".totalRecipients: type string, the OpenAPI has ['number']",
        ".subStatus: values ['paused-by-admin'] outside the OpenAPI's [None]",
    } <= problems


@pytest.mark.vendor
def test_every_route_answers_what_the_openapi_documents(openapi: OpenApi, bme: Bme) -> None:
    """One answer per route and an error, each against the OpenAPI (every other test's answers
    are checked against it too whenever it is present)."""
    sent = by_status(bme)["sent"][0]["_id"]
    responses = [
        bme.get("/api/email/campaign", size=100),
        bme.get(f"/api/email/campaign/{sent}", strict=False),  # UNDOCUMENTED fields
        bme.get("/api/contact/events", pastDays=90, size=100),
        bme.post("/api/contact/search", {"size": 100}),
        bme.get("/api/reports/dashboard", pastDays=30),
        bme.get("/api/reports/email/overall", pastDays=30),
        bme.get("/api/reports/email/overall/histogram", pastDays=30, eventType="email-bounced"),
        bme.get(f"/api/reports/email/{sent}"),
        bme.get(f"/api/reports/email/{sent}/engagement", period="week"),
        bme.get("/api/contact/events", pastDays=91),
    ]
    assert responses[-1].status_code == 400
    routes = set()
    for response in responses:
        path = response.request.path_url.split("?")[0].removeprefix("/benchmark")
        template = openapi.template(path)
        routes.add((response.request.method, template))
        detail = template == "/api/email/campaign/{campaignId}"
        openapi.validate(response, "/benchmark", strict=not detail)
    assert routes == set(ROUTES)


def test_campaign_list_every_parameter_validates(bme: Bme) -> None:
    everything = bme.ok("/api/email/campaign", size=100)
    assert everything["total"] == len(everything["records"]) >= 4
    for status in ("scheduled", "sent", "draft", "sending", "paused", "failed", "cancelled"):
        body = bme.ok("/api/email/campaign", statuses=status)
        assert all(r["status"] == status for r in body["records"])
    for field in ("name", "createdAt", "updatedAt", "scheduledAt"):
        for direction in ("asc", "desc"):
            records = bme.ok("/api/email/campaign", sort=f"{field}:{direction}", size=100)[
                "records"
            ]
            values = [r[field] for r in records if field in r]
            assert values == sorted(values, reverse=direction == "desc")
            assert [field in r for r in records] == sorted(
                (field in r for r in records), reverse=True
            )  # without the field: last
    name = everything["records"][0]["name"]
    found = bme.ok("/api/email/campaign", criteria=name.upper()[:50])["records"]
    assert name in {r["name"] for r in found}
    assert bme.ok("/api/email/campaign", criteria="no such campaign") == {"total": 0, "records": []}


def test_campaign_records_by_status(bme: Bme) -> None:
    groups = by_status(bme)
    assert len(groups["sent"]) >= 3 and groups["scheduled"] and len(groups["draft"]) == 1
    for record in bme.campaigns():
        assert re.fullmatch(r"[0-9a-f]{24}", record["_id"])
        assert ISO_MS.fullmatch(record["createdAt"]) and ISO_MS.fullmatch(record["updatedAt"])
        # The spec's detail schema lists a subset of the list record's fields (no name, from,
        # subject, previewText, stats); the simulator answers the full record (ASSUMPTION), so
        # the detail is validated without `additionalProperties: false`.
        detail = bme.get(f"/api/email/campaign/{record['_id']}", strict=False)
        assert detail.status_code == 200 and detail.json() == record
    draft = groups["draft"][0]
    assert {"stats", "sentCount", "scheduledAt"}.isdisjoint(draft)
    for record in groups["scheduled"]:
        assert "stats" not in record and record["sentCount"] == 0
    for record in groups["sent"]:
        stats = record["stats"]
        assert record["sentCount"] == stats["sent"] > 0
        assert stats["opens"]["rate"] == _rate(stats["opens"]["unique"], stats["delivered"])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"pastDays": 1},
        {"pastDays": 90, "types": "email-bounced"},
        {"pastDays": 90, "types": "email-clicked,contact-unsubscribed,email-complaint"},
        {"pastDays": 90, "types": "email-delayed,email-rejected,contact-created"},
    ],
)
def test_contact_events_validate(bme: Bme, params: dict[str, Any]) -> None:
    body = bme.ok("/api/contact/events", size=100, **params)
    wanted = set(params.get("types", "").split(",")) - {""}
    for record in body["records"]:
        assert ISO_MS.fullmatch(record["timestamp"])
        assert not wanted or record["type"] in wanted
        if record["type"] == "email-clicked":
            assert record["emailLinkId"] and record["emailTargetUrl"].startswith("https://")
        if record["type"] == "email-bounced":
            assert record["emailBounceType"] in ("hard", "soft")
            assert re.fullmatch(r"[45]\.\d\.\d+", record["emailBounceDiagCode"])
            assert record["emailBounceSubType"]
        if record["type"].startswith("email-") or record["type"] == "contact-unsubscribed":
            assert re.fullmatch(r"[0-9a-f]{24}", record["emailCampaignId"])


def test_contact_events_cover_every_kind_and_page_to_the_end(bme: Bme) -> None:
    events = bme.events()
    types = Counter(e["type"] for e in events)
    assert set(types) >= {
        "email-sent", "email-delivered", "email-opened", "email-clicked", "email-bounced",
        "email-complaint", "contact-unsubscribed", "email-delayed", "email-rejected",
        "contact-created",
    }  # fmt: skip
    bounces = [e for e in events if e["type"] == "email-bounced"]
    assert {e["emailBounceType"] for e in bounces} == {"hard", "soft"}
    assert {"5.1.1", "4.2.2", "5.7.1"} <= {e["emailBounceDiagCode"] for e in bounces}
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    identity = Counter(
        (e["contactId"], e["type"], e["timestamp"], e.get("emailCampaignId"), e.get("emailLinkId"))
        for e in events
    )
    assert max(identity.values()) == 1
    # A page past the end is empty; smaller pages give the same sequence.
    total = len(events)
    assert (
        bme.ok("/api/contact/events", pastDays=90, page=total // 100 + 2, size=100)["records"] == []
    )
    assert bme.all_pages("/api/contact/events", size=37, pastDays=90) == events
    # pastDays narrows by timestamp.
    last_week = bme.events(past_days=7)
    assert 0 < len(last_week) < total and last_week == events[: len(last_week)]


@pytest.mark.parametrize("timezone", ["UTC", "America/La_Paz", "Asia/Kolkata"])
@pytest.mark.parametrize("past_days", [1, 7, 30, 90])
def test_dashboard_and_overall_validate(bme: Bme, past_days: int, timezone: str) -> None:
    dashboard = bme.ok("/api/reports/dashboard", pastDays=past_days, timezone=timezone)
    overall = bme.ok("/api/reports/email/overall", pastDays=past_days, timezone=timezone)
    stats = overall["stats"]
    campaign = dashboard["campaign"]
    assert campaign["sent"]["count"] == stats["sent"]["count"]["value"]
    assert campaign["delivered"]["count"] == stats["delivered"]["count"]["value"]
    assert campaign["uniqueOpens"]["count"]["value"] == stats["uniqueOpens"]["count"]["value"]
    assert campaign["uniqueOpens"]["rate"]["value"] == stats["uniqueOpens"]["rate"]["value"]
    assert stats["totalBounces"]["count"]["value"] == (
        stats["hardBounces"]["count"]["value"] + stats["softBounces"]["count"]["value"]
    )
    for rate in ("uniqueOpens", "uniqueClicks", "totalBounces", "hardBounces", "softBounces"):
        assert 0 <= stats[rate]["rate"]["value"] <= 100  # bounded: cohorts of the period
    histogram = dashboard["contact"]["histogram"]
    buckets = histogram["histogram"]
    # whole local hours (pastDays=1) or local days before the one holding the clock, any zone
    assert len(buckets) == (24 if past_days == 1 else past_days)
    start, end = (
        datetime.fromisoformat(histogram[k].replace("Z", "+00:00")).astimezone(ZoneInfo(timezone))
        for k in ("start", "end")
    )
    assert buckets[0]["date"] == histogram["start"]
    assert start.minute == end.minute == 0 and (past_days == 1 or start.hour == end.hour == 0)
    assert histogram["peak"]["total"] == max(b["total"] for b in buckets)


@pytest.mark.parametrize("event_type", HISTOGRAM_TYPES)
def test_histograms_validate_and_add_up_to_the_overall_counts(bme: Bme, event_type: str) -> None:
    metric = {
        "email-sent": "sent",
        "email-delivered": "delivered",
        "email-bounced": "totalBounces",
        "first-contact-unsubscribed": "unsubscribes",
        "first-email-complaint": "complaints",
        "first-email-opened": "uniqueOpens",
        "first-email-clicked": "uniqueClicks",
    }[event_type]
    for timezone in ("UTC", "Australia/Adelaide"):
        body = bme.ok(
            "/api/reports/email/overall/histogram",
            pastDays=30,
            eventType=event_type,
            timezone=timezone,
        )
        overall = bme.ok("/api/reports/email/overall", pastDays=30, timezone=timezone)["stats"]
        totals = [b["total"] for b in body["histogram"]]
        pairs = overall[metric]["count"]["value"]
        if event_type.startswith("first-"):  # first occurrences: the overall's pair counts
            assert sum(totals) == pairs
        else:  # every event: at least one per pair (soft bounces repeat)
            assert sum(totals) >= pairs > 0
        assert body["peak"]["total"] == max(totals)
        assert all(("detail" in b) == (event_type == "email-bounced") for b in body["histogram"])
        if event_type == "email-bounced":
            hard = sum(b["detail"]["hard"] for b in body["histogram"])
            assert hard + sum(b["detail"]["soft"] for b in body["histogram"]) == sum(totals)
            assert hard >= overall["hardBounces"]["count"]["value"]
    hourly = bme.ok("/api/reports/email/overall/histogram", pastDays=1, eventType=event_type)
    assert len(hourly["histogram"]) == 24


def test_campaign_reports_and_engagement_validate(bme: Bme) -> None:
    for record in bme.campaigns():
        report = bme.ok(f"/api/reports/email/{record['_id']}")
        if record["status"] == "sent":
            stats = report["stats"]
            assert stats["sent"] == record["stats"]["sent"] > 0
            assert stats["opens"]["unique"] == record["stats"]["opens"]["unique"]
            assert ISO_MS.fullmatch(stats["opens"]["last"])
            assert report["linkActivity"] and all(
                link["clicks"]["total"] >= link["clicks"]["unique"]
                for link in report["linkActivity"]
            )
        for period, buckets in (("24hours", 24), ("week", 7), ("month", 30)):
            for timezone in ("UTC", "Europe/London"):
                body = bme.ok(
                    f"/api/reports/email/{record['_id']}/engagement",
                    period=period,
                    timezone=timezone,
                )
                assert len(body["histogram"]) in (buckets, buckets + 1)
                for bucket in body["histogram"]:
                    detail = bucket["detail"]
                    assert bucket["total"] == detail["uniqueOpens"] + detail["uniqueClicks"]
        default = bme.ok(f"/api/reports/email/{record['_id']}/engagement")
        assert len(default["histogram"]) in (24, 25)  # 24 hours from scheduledAt


def test_timezone_moves_only_the_bucket_edges(bme: Bme) -> None:
    utc = bme.ok("/api/reports/dashboard", pastDays=30)
    for timezone, hour in (("America/La_Paz", "04:00"), ("Asia/Kolkata", "18:30")):
        local = bme.ok("/api/reports/dashboard", pastDays=30, timezone=timezone)
        assert local["campaign"] == utc["campaign"]
        buckets = local["contact"]["histogram"]["histogram"]
        assert all(b["date"][11:16] == hour for b in buckets)
        assert sum(b["total"] for b in buckets) == sum(
            b["total"] for b in utc["contact"]["histogram"]["histogram"]
        )
        opened = bme.ok(
            "/api/reports/email/overall/histogram",
            pastDays=7,
            eventType="first-email-opened",
            timezone=timezone,
        )
        assert all(b["date"][11:16] == hour for b in opened["histogram"])


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/reports/dashboard", {}, "pastDays"),
        ("/api/reports/dashboard", {"pastDays": 0}, "pastDays"),
        ("/api/reports/dashboard", {"pastDays": 91}, "pastDays"),
        ("/api/reports/dashboard", {"pastDays": "seven"}, "pastDays"),
        ("/api/reports/dashboard", {"pastDays": 7, "timezone": "Mars/Olympus"}, "timezone"),
        ("/api/reports/email/overall", {"pastDays": 100}, "pastDays"),
        ("/api/reports/email/overall", {"pastDays": 7, "timezone": "../etc"}, "timezone"),
        ("/api/reports/email/overall/histogram", {"pastDays": 7}, "eventType"),
        (
            "/api/reports/email/overall/histogram",
            {"pastDays": 7, "eventType": "email-opened"},
            "eventType",
        ),
        ("/api/reports/email/overall/histogram", {"eventType": "email-sent"}, "pastDays"),
        ("/api/email/campaign", {"size": 101}, "size"),
        ("/api/email/campaign", {"page": 0}, "page"),
        ("/api/email/campaign", {"statuses": "archived"}, "statuses"),
        ("/api/email/campaign", {"sort": "name"}, "sort"),
        ("/api/email/campaign", {"sort": "name:up"}, "sort"),
        ("/api/email/campaign", {"sort": "subject:asc"}, "sort"),
        ("/api/email/campaign", {"criteria": "x" * 51}, "criteria"),
        ("/api/contact/events", {"pastDays": 91}, "pastDays"),
        ("/api/contact/events", {"types": "email-opened,email-read"}, "types"),
        ("/api/contact/events", {"size": 0}, "size"),
    ],
)
def test_validation_errors(bme: Bme, path: str, params: dict[str, Any], field: str) -> None:
    error = expect_error(bme.get(path, **params), 400, "ValidationError")
    assert error["field"] == field


def test_engagement_period_is_validated(bme: Bme) -> None:
    campaign = by_status(bme)["sent"][0]["_id"]
    response = bme.get(f"/api/reports/email/{campaign}/engagement", period="year")
    assert expect_error(response, 400, "ValidationError")["field"] == "period"


def test_keys_scopes_and_unknown_ids(bme: Bme) -> None:
    for key in (None, "bme_live_" + "x" * 38, "bme_sandbox_all "[:-2]):
        response = bme.get("/api/email/campaign", key=key)
        assert expect_error(response, 401, "UnauthorizedError")["message"] == "Invalid API key"
    campaign = by_status(bme)["sent"][0]["_id"]
    for path, params in (
        ("/api/reports/dashboard", {"pastDays": 7}),
        ("/api/reports/email/overall", {"pastDays": 7}),
        ("/api/reports/email/overall/histogram", {"pastDays": 7, "eventType": "email-sent"}),
        (f"/api/reports/email/{campaign}", {}),
        (f"/api/reports/email/{campaign}/engagement", {}),
    ):
        error = expect_error(bme.get(path, key=NOREPORTS, **params), 403, "ForbiddenError")
        assert error["message"] == "API key missing required scope: reports:read"
    assert bme.get("/api/email/campaign", key=NOREPORTS).status_code == 200
    assert bme.get("/api/contact/events", key=NOREPORTS).status_code == 200
    unknown = "0" * 24
    for path in (
        f"/api/email/campaign/{unknown}",
        f"/api/reports/email/{unknown}",
        f"/api/reports/email/{unknown}/engagement",
    ):
        expect_error(bme.get(path), 404, "RecordNotFound")


def test_paging_faults_cap_pages_count_offsets_either_way_and_overstate_totals(
    sandbox: Sandbox,
) -> None:
    """CONTRACTS "Paging to the end": `page_size_cap` serves at most that many records whatever
    is asked; page 2 starts after the served records, or after the asked ones with
    `page_offsets_from_asked_size`; `total_overstated_by` only changes the totals."""
    bme = Bme(sandbox.url)
    events, contacts, campaigns = bme.events(), bme.contacts(), bme.campaigns()
    assert len(events) > 200 and len(contacts) > 104 and len(campaigns) > 4

    def search(page: int, size: int) -> dict[str, Any]:
        response = bme.post("/api/contact/search", {"page": page, "size": size})
        assert response.status_code == 200, response.text
        return dict(response.json())

    for from_asked, second in ((False, slice(4, 8)), (True, slice(100, 104))):
        sandbox.faults("benchmark", page_size_cap=4, page_offsets_from_asked_size=from_asked)
        first = bme.ok("/api/contact/events", pastDays=90, page=1, size=100)
        assert first == {"total": len(events), "records": events[:4]}
        page = bme.ok("/api/contact/events", pastDays=90, page=2, size=100)
        assert page["records"] == events[second]
        assert search(2, 100) == {"contacts": contacts[second], "totalRecords": len(contacts)}
        listed = bme.ok("/api/email/campaign", page=2, size=5)
        assert listed == {
            "total": len(campaigns),
            "records": campaigns[4:8] if not from_asked else campaigns[5:9],
        }
    sandbox.faults("benchmark", page_size_cap=0, total_overstated_by=2)
    assert bme.ok("/api/contact/events", pastDays=90, size=100)["total"] == len(events) + 2
    assert search(1, 100)["totalRecords"] == len(contacts) + 2
    assert bme.ok("/api/email/campaign", size=100) == {
        "total": len(campaigns) + 2,
        "records": campaigns,
    }


def test_rate_limits(sandbox: Sandbox) -> None:
    bme = Bme(sandbox.url)
    first = bme.get("/api/email/campaign")
    second = bme.get("/api/email/campaign")
    assert int(second.headers["X-RateLimit-Remaining"]) == (
        int(first.headers["X-RateLimit-Remaining"]) - 1
    )
    assert (
        int(second.headers["X-Monthly-Remaining"]) == int(first.headers["X-Monthly-Remaining"]) - 1
    )
    assert int(first.headers["X-RateLimit-Reset"]) > time.time()

    sandbox.faults("benchmark", rate_limit_next=1, retry_after_seconds=7)
    limited = bme.get("/api/email/campaign")
    expect_error(limited, 429, "TooManyRequestsError")
    assert limited.headers["Retry-After"] == "7"
    assert bme.get("/api/email/campaign").status_code == 200

    sandbox.faults("benchmark", hourly_limit=2, rate_window_seconds=1.5)
    remaining = [bme.get("/api/email/campaign").headers["X-RateLimit-Remaining"] for _ in range(2)]
    assert remaining == ["1", "0"]
    limited = bme.get("/api/reports/dashboard", pastDays=7)
    expect_error(limited, 429, "TooManyRequestsError")
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 2
    time.sleep(wait)
    assert bme.get("/api/reports/dashboard", pastDays=7).status_code == 200

    sandbox.faults("benchmark", hourly_limit=3600, monthly_limit=0)
    quota = bme.get("/api/email/campaign")
    assert "Monthly" in expect_error(quota, 429, "TooManyRequestsError")["message"]
    assert int(quota.headers["Retry-After"]) > 3600  # until the next month (world clock)


def test_unknown_route_and_method(shared: Sandbox) -> None:
    sandbox = shared
    response = requests.get(
        f"{sandbox.url}/benchmark/api/email/template", headers={"X-API-Key": ALL}, timeout=10
    )
    expect_error(response, 404, "NotFoundError")
    response = requests.post(
        f"{sandbox.url}/benchmark/api/email/campaign", headers={"X-API-Key": ALL}, timeout=10
    )
    assert response.status_code == 405 and response.json()["errors"][0]["errorType"]


# -- numbers ------------------------------------------------------------------------------------


def firsts_from_events(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, str]]:
    """(campaign, contact) → first timestamp of each event type."""
    firsts: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for event in sorted(events, key=lambda e: e["timestamp"]):
        if "emailCampaignId" in event:
            key = (event["emailCampaignId"], event["contactId"])
            firsts[key].setdefault(event["type"], event["timestamp"])
    return firsts


def test_reports_agree_with_the_contact_events_served(shared: Sandbox, bme: Bme) -> None:
    sandbox = shared
    events = bme.events()
    firsts = firsts_from_events(events)
    hard = {
        (e["emailCampaignId"], e["contactId"])
        for e in events
        if e["type"] == "email-bounced" and e["emailBounceType"] == "hard"
    }
    truth = {row["campaign_id"]: row for row in sandbox.truth("benchmark")["campaign_report"]}
    assert truth, "the world has no Benchmark campaign with events"
    for campaign_id, row in truth.items():
        pairs = {k: v for k, v in firsts.items() if k[0] == campaign_id}

        def count(kind: str, pairs: dict[tuple[str, str], dict[str, str]] = pairs) -> int:
            return sum(kind in v for v in pairs.values())

        bounced = {k for k, v in pairs.items() if "email-bounced" in v}
        report = bme.ok(f"/api/reports/email/{campaign_id}")["stats"]
        delivered = count("email-delivered")
        assert report["sent"] == row["sent_count"] == count("email-sent")
        assert report["delivered"] == row["delivered_count"] == delivered
        assert report["opens"]["unique"] == row["unique_open_count"] == count("email-opened")
        assert report["clicks"]["unique"] == row["unique_click_count"] == count("email-clicked")
        assert report["hardBounces"]["count"] == row["hard_bounce_count"] == len(bounced & hard)
        assert report["softBounces"]["count"] == row["soft_bounce_count"] == len(bounced - hard)
        assert report["totalBounces"]["count"] == row["bounce_count"] == len(bounced)
        assert report["unsubscribes"] == row["unsubscribe_count"] == count("contact-unsubscribed")
        assert report["complaints"] == row["complaint_count"] == count("email-complaint")
        for name, rate in (
            ("opens", "open_rate"),
            ("clicks", "click_rate"),
            ("totalBounces", "bounce_rate"),
            ("hardBounces", "hard_bounce_rate"),
            ("softBounces", "soft_bounce_rate"),
        ):
            assert report[name]["rate"] == row[rate]
        assert row["open_rate"] == _rate(row["unique_open_count"], delivered)
        assert row["bounce_rate"] == _rate(row["bounce_count"], row["sent_count"])  # on sent
        last_open = max(
            e["timestamp"]
            for e in events
            if e["type"] == "email-opened" and e.get("emailCampaignId") == campaign_id
        )
        assert report["opens"]["last"] == last_open == row["last_opened_at"] + "Z"
    # event_counts: every contact event of a campaign, by canonical type.
    canonical = {
        "email-sent": "sent", "email-delivered": "delivered", "email-opened": "opened",
        "email-clicked": "clicked", "email-bounced": "bounced", "contact-unsubscribed": "unsubscribed",
        "email-complaint": "complained", "email-delayed": "deferred", "email-rejected": "dropped",
    }  # fmt: skip
    served = Counter(
        (e["emailCampaignId"], canonical[e["type"]]) for e in events if "emailCampaignId" in e
    )
    counts = {
        (r["campaign_id"], r["event_type"]): r["count"]
        for r in sandbox.truth("benchmark")["event_counts"]
    }
    assert counts == dict(served)
    # The overall report for 30 days counts pairs whose first event of the kind is in the period.
    now = sandbox.truth("benchmark")["now"]
    end = datetime.fromisoformat(now.replace("Z", "+00:00"))
    start, before = end - timedelta(days=30), end - timedelta(days=60)

    def in_period(kind: str, low: datetime, high: datetime) -> int:
        return sum(
            kind in v and low <= datetime.fromisoformat(v[kind].replace("Z", "+00:00")) < high
            for v in firsts.values()
        )

    stats = bme.ok("/api/reports/email/overall", pastDays=30)["stats"]
    for metric, kind in (
        ("sent", "email-sent"),
        ("delivered", "email-delivered"),
        ("uniqueOpens", "email-opened"),
        ("uniqueClicks", "email-clicked"),
        ("totalBounces", "email-bounced"),
        ("complaints", "email-complaint"),
        ("unsubscribes", "contact-unsubscribed"),
    ):
        value, prev = in_period(kind, start, end), in_period(kind, before, start)
        assert stats[metric]["count"] == {"value": value, "prev": prev, "diff": diff(value, prev)}


def test_clock_advance_sends_the_scheduled_campaign_and_adds_events(sandbox: Sandbox) -> None:
    bme = Bme(sandbox.url)
    before = bme.ok("/api/contact/events", pastDays=90, size=1)["total"]
    soon = min(by_status(bme)["scheduled"], key=lambda r: r["scheduledAt"])
    sandbox.advance(hours=24 * 3)
    after = bme.ok("/api/contact/events", pastDays=90, size=1)["total"]
    assert after > before
    record = bme.ok(f"/api/email/campaign/{soon['_id']}", strict=False)
    assert record["status"] == "sent" and record["stats"]["sent"] > 0
    assert soon["_id"] in {r["campaign_id"] for r in sandbox.truth("benchmark")["campaign_report"]}


# -- contacts (CONTRACTS 10.1) -------------------------------------------------------------------


def test_contact_search_pages_sorts_and_lists_the_existing_contacts(bme: Bme) -> None:
    first = bme.post("/api/contact/search", {})
    assert first.status_code == 200
    body = first.json()
    assert len(body["contacts"]) == min(25, body["totalRecords"])  # default page size 25
    newest = bme.contacts()
    assert len(newest) == body["totalRecords"] > 25
    assert newest[:25] == body["contacts"]  # default sort createdAt:desc
    oldest = bme.contacts(size=7, sort="createdAt:asc")
    assert oldest == newest[::-1]  # ties on createdAt broken by _id both ways
    keys = [(c["createdAt"], c["_id"]) for c in oldest]
    assert keys == sorted(keys) and len({c["_id"] for c in oldest}) == len(oldest)
    for contact in oldest:
        assert ISO_MS.fullmatch(contact["createdAt"]) and ISO_MS.fullmatch(contact["updatedAt"])
        assert re.fullmatch(r"[0-9a-f]{24}", contact["_id"]) and "@" in contact["key"]
        assert contact["fields"] == [] and contact["tags"] == []
    # Exactly the contacts existing at the clock: imported, or created by a visible event.
    clock = bme.ok("/api/reports/dashboard", pastDays=1)["contact"]["histogram"]["end"]
    assert max(c["createdAt"] for c in oldest) < clock
    created = {e["contactId"] for e in bme.events(types="contact-created")}
    assert created <= {c["_id"] for c in oldest}
    # The dashboard's contact count is the same set.
    dashboard = bme.ok("/api/reports/dashboard", pastDays=90)["contact"]["count"]
    assert dashboard["value"] == len(oldest)
    past = bme.post("/api/contact/search", {"page": 99, "size": 100}).json()
    assert past == {"contacts": [], "totalRecords": len(oldest)}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "2"}, "page"),
        ({"size": 0}, "size"),
        ({"size": 101}, "size"),
        ({"size": True}, "size"),
        ({"sort": "createdAt"}, "sort"),
        ({"sort": "updatedAt:desc"}, "sort"),
        ([1, 2], "body"),
        (b"{not json", "body"),
    ],
)
def test_contact_search_validation_errors(bme: Bme, body: Any, field: str) -> None:
    error = expect_error(bme.post("/api/contact/search", body), 400, "ValidationError")
    assert error["field"] == field


def test_contact_search_needs_the_contacts_scope_and_post(
    bme: Bme, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both sandbox keys hold contacts:read: add a key without it for this test only.
    monkeypatch.setitem(KEYS, "bme_sandbox_nocontacts", frozenset(SCOPES) - {"contacts:read"})
    response = bme.post("/api/contact/search", {}, key="bme_sandbox_nocontacts")
    error = expect_error(response, 403, "ForbiddenError")
    assert error["message"] == "API key missing required scope: contacts:read"
    expect_error(bme.post("/api/contact/search", {}, key=None), 401, "UnauthorizedError")
    assert bme.post("/api/contact/search", {}, key=NOREPORTS).status_code == 200
    response = requests.get(f"{bme.url}/api/contact/search", headers={"X-API-Key": ALL}, timeout=10)
    expect_error(response, 405, "MethodNotAllowedError")


def test_clock_advance_reveals_new_contacts(sandbox: Sandbox) -> None:
    bme = Bme(sandbox.url)
    before = bme.contacts()
    sandbox.advance(hours=24 * 5)
    after = bme.contacts()
    assert len(after) > len(before)
    old = {c["_id"] for c in before}
    assert old < {c["_id"] for c in after}
    clock = bme.ok("/api/reports/dashboard", pastDays=1)["contact"]["histogram"]["end"]
    assert all(c["createdAt"] < clock for c in after)


def test_diff_rule() -> None:
    assert diff(10, 5) == 100.0
    assert diff(5, 10) == -50.0
    assert diff(1, 3) == -66.67
    assert diff(2, 3) == -33.33
    assert diff(1, 8) == -87.5
    assert diff(1, 0) == 100.0  # ASSUMPTION: previous 0 → 100 when current > 0
    assert diff(0, 0) == 0.0
    assert diff(33.27, 42.93) == -22.5
    assert diff(1, 200) == -99.5
    assert diff(201, 200) == 0.5
    assert diff(1, 16) == -93.75  # exact halves round away from zero
    assert diff(0.01, 0.08) == -87.5


def test_world_is_deterministic_and_separate() -> None:
    def world(**overrides: Any) -> list[tuple[str, str, int]]:
        part = World(WorldConfig(**{**SMALL_WORLD, **overrides})).parts["benchmark"]
        return [(e.contact.contact_id, e.type, e.at_ms) for e in part.event_records()]

    assert world() == world()
    assert world() != world(seed=7)
    # The Benchmark world has its own generator: the APSIS world does not see it.
    small = World(WorldConfig(**SMALL_WORLD))
    other = World(WorldConfig(**SMALL_WORLD, benchmark_campaigns=9))
    assert [e.correlation for e in small.parts["apsis_one"].events] == [
        e.correlation for e in other.parts["apsis_one"].events
    ]
    assert len(other.parts["benchmark"].campaigns) == 9 != len(small.parts["benchmark"].campaigns)
