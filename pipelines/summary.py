"""Print a short summary of the campaign report mart (used by `make demo`)."""

from __future__ import annotations

import sys

import duckdb

REPORT = "marts.email_campaign_report"


def print_campaign_report(warehouse: str, limit: int = 15) -> None:
    """Print one line per campaign of `marts.email_campaign_report`, newest activity first."""
    with duckdb.connect(warehouse, read_only=True) as con:
        rows = con.execute(
            f"""
            select provider, campaign_id, coalesce(campaign_name, ''), sent_count, delivered_count,
                   unique_open_count, open_rate, unique_click_count, click_rate,
                   hard_bounce_count, soft_bounce_count, unsubscribe_count, complaint_count
            from {REPORT}
            order by provider, campaign_id
            limit {int(limit)}
            """
        ).fetchall()
        total = con.execute(f"select count(*), sum(sent_count) from {REPORT}").fetchone() or (0, 0)
        events = con.execute("select count(*) from marts.fct_email_events").fetchone() or (0,)
    print(
        f"\nCampaign report ({REPORT}): {total[0]} campaigns, {total[1] or 0:,} sent, "
        f"{events[0]:,} events in marts.fct_email_events"
    )
    header = (
        "provider",
        "campaign",
        "name",
        "sent",
        "deliv",
        "opens",
        "open%",
        "clicks",
        "click%",
        "hard",
        "soft",
        "unsub",
        "compl",
    )
    print(
        "{:<10} {:<10} {:<28} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5} {:>5} {:>5}".format(
            *header
        )
    )
    for r in rows:
        print(
            f"{r[0]:<10.10} {r[1]:<10.10} {r[2]:<28.28} {r[3]:>6} {r[4]:>6} {r[5]:>6} {float(r[6]):>6.2f} "
            f"{r[7]:>6} {float(r[8]):>6.2f} {r[9]:>5} {r[10]:>5} {r[11]:>5} {r[12]:>5}"
        )
    if total[0] > limit:
        print(f"... {total[0] - limit} more: select * from {REPORT}")


if __name__ == "__main__":
    print_campaign_report(sys.argv[1] if len(sys.argv) > 1 else "warehouse.duckdb")
