"""The campaign report row of docs/CONTRACTS.md section 4, which every provider's truth builds.

One definition for all (the human columns of issue 16 too): open and click rates on delivered, bounce rates on sent, rounded half up
on exact integers (sandbox.reports.periods.rate); bounces = hard + soft.
"""

from __future__ import annotations

from typing import Any

from sandbox.reports.periods import rate


def report_row(
    campaign_id: str,
    *,
    sent: int,
    delivered: int,
    opened: int,
    last_opened_at: str | None,
    clicked: int,
    last_clicked_at: str | None,
    hard: int,
    soft: int,
    unsubscribes: int,
    complaints: int,
    human_opened: int | None = None,
    last_human_opened_at: str | None = None,
    human_clicked: int | None = None,
    last_human_clicked_at: str | None = None,
) -> dict[str, Any]:
    """One campaign report row from its recipient counts; with the human counts (issue 16,
    sandbox.reports.human) also its `human_*` columns, on the same bases."""
    row = {
        "campaign_id": campaign_id,
        "sent_count": sent,
        "delivered_count": delivered,
        "unique_open_count": opened,
        "open_rate": rate(opened, delivered),
        "last_opened_at": last_opened_at,
        "unique_click_count": clicked,
        "click_rate": rate(clicked, delivered),
        "last_clicked_at": last_clicked_at,
        "bounce_count": hard + soft,
        "bounce_rate": rate(hard + soft, sent),
        "hard_bounce_count": hard,
        "hard_bounce_rate": rate(hard, sent),
        "soft_bounce_count": soft,
        "soft_bounce_rate": rate(soft, sent),
        "unsubscribe_count": unsubscribes,
        "complaint_count": complaints,
    }
    if human_opened is not None and human_clicked is not None:
        row |= {
            "human_unique_open_count": human_opened,
            "human_open_rate": rate(human_opened, delivered),
            "last_human_opened_at": last_human_opened_at,
            "human_unique_click_count": human_clicked,
            "human_click_rate": rate(human_clicked, delivered),
            "last_human_clicked_at": last_human_clicked_at,
        }
    return row
