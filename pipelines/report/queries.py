"""What the HTML report reads: the marts of a DuckDB warehouse, one query per section.

Every query reads one mart of the `marts` schema (docs/CONTRACTS.md; the marts' YAML states their
grain) and returns plain rows (dicts), per provider and account. A mart that is not built (a
partial `dbt build --select`) is reported by `Marts.missing`, never queried. No query returns a
recipient: the suppression list is counted, not listed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import duckdb

SCHEMA = "marts"
HINT = "run `make transform` (dbt build) on it first"
# The reconciliation marts (marts/reconciliation): each row compares a provider's reported figure
# with the modelled one; `difference` is null where the provider reported nothing to compare.
RECONCILIATION = (
    "email_report_reconciliation",
    "maxemail_campaign_reconciliation",
    "benchmark_campaign_reconciliation",
    "benchmark_link_reconciliation",
    "benchmark_report_reconciliation",
    "netcore_stats_reconciliation",
)
# The measures of the daily series: fct_email_deliveries' first event of each kind, per pair.
DAILY = (
    ("sent", "first_sent_at"),
    ("delivered", "first_delivered_at"),
    ("unique opens", "first_opened_at"),
    ("human unique opens", "first_human_opened_at"),
    ("unique clicks", "first_clicked_at"),
    ("human unique clicks", "first_human_clicked_at"),
    ("bounced", "first_bounced_at"),
)
DASHBOARD_DAYS = (7, 30, 90)
TOP_LINKS = 10
TOP_CAMPAIGNS = 20
CURVE_CAMPAIGNS = 8
HEALTH_DAYS = 14


class ReportError(Exception):
    """The report cannot be written (no warehouse, no marts); the message says what to do."""


@dataclass
class Marts:
    """A read-only connection to the warehouse and the names of the marts it holds."""

    path: str
    con: duckdb.DuckDBPyConnection
    built: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        """True when every mart is built; the others are remembered for the warnings."""
        absent = [name for name in names if name not in self.built]
        self.missing.extend(n for n in absent if n not in self.missing)
        return not absent

    def rows(self, sql: str) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def open_marts(path: str) -> Marts:
    """The warehouse's marts; ReportError naming the file when it or its marts do not exist."""
    if not os.path.exists(path):
        raise ReportError(f"the warehouse {path} does not exist: load it (make load), then {HINT}")
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        raise ReportError(f"cannot open the warehouse {path}: {str(exc).splitlines()[0]}") from None
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
    ).fetchall()
    if not tables:
        con.close()
        raise ReportError(f"the warehouse {path} holds no marts (schema {SCHEMA}): {HINT}")
    return Marts(path, con, {name for (name,) in tables})


def daily_series(marts: Marts) -> list[dict[str, Any]]:
    """Per provider, account, UTC day and measure: the pairs whose first event of the kind fell
    that day (fct_email_deliveries: one row per campaign and recipient)."""
    parts = [
        f"select provider, account_id, cast({column} as date) as day, '{name}' as measure "
        f"from {SCHEMA}.fct_email_deliveries where {column} is not null"
        for name, column in DAILY
    ]
    return marts.rows(
        f"""
        select provider, coalesce(account_id, '') as account_id, day, measure, count(*) as pairs
        from ({" union all ".join(parts)}) as firsts
        group by provider, coalesce(account_id, ''), day, measure
        order by provider, account_id, day
        """
    )


def dashboard(marts: Marts) -> list[dict[str, Any]]:
    """email_dashboard for 7, 30 and 90 days: each number, its previous period's and the diff."""
    days = ", ".join(str(d) for d in DASHBOARD_DAYS)
    return marts.rows(
        f"""
        select * replace (coalesce(account_id, '') as account_id)
        from {SCHEMA}.email_dashboard where past_days in ({days})
        order by provider, account_id, past_days
        """
    )


def campaigns(marts: Marts) -> list[dict[str, Any]]:
    """email_campaign_report: the largest campaigns (by sent) of each provider and account."""
    return marts.rows(
        f"""
        select * from (
            select
                provider, coalesce(account_id, '') as account_id, campaign_id,
                coalesce(campaign_name, campaign_id) as campaign_name, sent_count, delivered_count,
                unique_open_count, open_rate, human_unique_open_count, human_open_rate,
                unique_click_count, click_rate, human_unique_click_count, human_click_rate,
                bounce_count, bounce_rate, unsubscribe_count, complaint_count,
                row_number() over (
                    partition by provider, account_id order by sent_count desc, campaign_id
                ) as size_rank
            from {SCHEMA}.email_campaign_report
        ) as ranked
        where size_rank <= {TOP_CAMPAIGNS}
        order by provider, account_id, campaign_id
        """
    )


def engagement_curves(marts: Marts) -> list[dict[str, Any]]:
    """email_campaign_engagement, `24hours` period: unique opens and clicks per hour after the
    first send, for each provider's and account's newest campaigns."""
    return marts.rows(
        f"""
        with newest as (
            select provider, account_id, campaign_id, first_sent_at,
                dense_rank() over (
                    partition by provider, account_id order by first_sent_at desc, campaign_id
                ) as recency
            from (
                select distinct provider, account_id, campaign_id, first_sent_at
                from {SCHEMA}.email_campaign_engagement
            ) as sent
        )
        select
            engagement.provider, coalesce(engagement.account_id, '') as account_id,
            engagement.campaign_id, engagement.first_sent_at, engagement.bucket_index,
            engagement.unique_open_count, engagement.unique_click_count,
            engagement.human_unique_open_count, engagement.human_unique_click_count
        from {SCHEMA}.email_campaign_engagement as engagement
        inner join newest
            on engagement.provider = newest.provider
            and engagement.campaign_id = newest.campaign_id
            and engagement.account_id is not distinct from newest.account_id
        where engagement.period = '24hours' and newest.recency <= {CURVE_CAMPAIGNS}
        order by engagement.provider, account_id, engagement.first_sent_at,
            engagement.campaign_id, engagement.bucket_index
        """
    )


def bounce_classes(marts: Marts) -> list[dict[str, Any]]:
    """Bounced pairs per provider, account and bounce class (fct_email_deliveries)."""
    return marts.rows(
        f"""
        select provider, coalesce(account_id, '') as account_id,
            coalesce(bounce_class, 'unknown') as bounce_class, count(*) as pairs
        from {SCHEMA}.fct_email_deliveries
        where was_bounced
        group by provider, coalesce(account_id, ''), coalesce(bounce_class, 'unknown')
        order by provider, account_id, bounce_class
        """
    )


def top_links(marts: Marts) -> list[dict[str, Any]]:
    """email_campaign_link_activity: each provider's and account's most clicked links."""
    return marts.rows(
        f"""
        select * from (
            select
                provider, coalesce(account_id, '') as account_id, campaign_id, link_url,
                link_title, unique_click_count, total_click_count, human_unique_click_count,
                row_number() over (
                    partition by provider, account_id
                    order by unique_click_count desc, total_click_count desc, link_key
                ) as click_rank
            from {SCHEMA}.email_campaign_link_activity
        ) as ranked
        where click_rank <= {TOP_LINKS}
        order by provider, account_id, click_rank
        """
    )


def suppressions(marts: Marts) -> list[dict[str, Any]]:
    """email_recipient_suppressions counted per provider, account and reason (and the distinct
    recipients over all reasons, reason null)."""
    return marts.rows(
        f"""
        select provider, coalesce(account_id, '') as account_id, reason,
            count(distinct recipient_key) as recipients
        from {SCHEMA}.email_recipient_suppressions
        group by grouping sets ((provider, coalesce(account_id, ''), reason),
            (provider, coalesce(account_id, '')))
        order by provider, account_id, reason nulls first
        """
    )


def reconciliation(marts: Marts, mart: str) -> list[dict[str, Any]]:
    """One reconciliation mart per provider and account: rows, rows compared (difference not
    null) and rows whose difference is not 0."""
    return marts.rows(
        f"""
        select provider, coalesce(account_id, '') as account_id, count(*) as row_count,
            count(difference) as compared,
            count(*) filter (where difference <> 0) as differing
        from {SCHEMA}.{mart}
        group by provider, coalesce(account_id, '')
        order by provider, account_id
        """
    )


def pipeline_health(marts: Marts) -> list[dict[str, Any]]:
    """marts.email_pipeline_health: the last HEALTH_DAYS days with a row, per provider."""
    return marts.rows(
        f"""
        select * from (
            select *, dense_rank() over (partition by provider order by day desc) as recency
            from {SCHEMA}.email_pipeline_health
        ) as recent
        where recency <= {HEALTH_DAYS}
        order by provider, day
        """
    )
