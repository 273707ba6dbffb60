"""Benchmark Email's report snapshots (PROVIDERS.md 4): each run appends the reports API's answer
per parameter set, stamped `_taken_at` (the provider's `Date`), with the parameters as columns;
dbt reconciles the marts against them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt

from pipelines.benchmark.client import BenchmarkClient
from pipelines.benchmark.config import BenchmarkConfig
from pipelines.benchmark.rows import snapshot


@dlt.resource(name="report_dashboard", write_disposition="append")
def report_dashboard(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[Any]:
    """`GET /api/reports/dashboard` per `past_days` value."""
    for days in config.past_days:
        body, now = client.get("/api/reports/dashboard", pastDays=days, timezone=config.timezone)
        yield snapshot(body, now, config.account_id, past_days=days, timezone=config.timezone)


@dlt.resource(name="report_overall", write_disposition="append")
def report_overall(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[Any]:
    """`GET /api/reports/email/overall` per `past_days` value."""
    for days in config.past_days:
        body, now = client.get(
            "/api/reports/email/overall", pastDays=days, timezone=config.timezone
        )
        yield snapshot(body, now, config.account_id, past_days=days, timezone=config.timezone)


@dlt.resource(name="report_histogram", write_disposition="append")
def report_histogram(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[Any]:
    """`GET /api/reports/email/overall/histogram` per `past_days` value × event type."""
    for days in config.past_days:
        for event_type in config.histogram_event_types:
            body, now = client.get(
                "/api/reports/email/overall/histogram",
                pastDays=days,
                eventType=event_type,
                timezone=config.timezone,
            )
            yield snapshot(
                body,
                now,
                config.account_id,
                past_days=days,
                event_type=event_type,
                timezone=config.timezone,
            )


@dlt.resource(name="report_campaign", write_disposition="append")
def report_campaign(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[Any]:
    """`GET /api/reports/email/{id}` per sent campaign (`linkActivity` → `__link_activity`)."""
    for campaign_id in client.reported():
        body, now = client.get(f"/api/reports/email/{campaign_id}")
        yield snapshot(body, now, config.account_id, campaign_id=campaign_id)


@dlt.resource(name="report_engagement", write_disposition="append")
def report_engagement(client: BenchmarkClient, config: BenchmarkConfig) -> Iterator[Any]:
    """`GET /api/reports/email/{id}/engagement` per sent campaign × period."""
    for campaign_id in client.reported():
        for period in config.engagement_periods:
            body, now = client.get(
                f"/api/reports/email/{campaign_id}/engagement",
                period=period,
                timezone=config.timezone,
            )
            yield snapshot(
                body,
                now,
                config.account_id,
                campaign_id=campaign_id,
                period=period,
                timezone=config.timezone,
            )
