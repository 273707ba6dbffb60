"""Ground truth of Maxemail (`GET /_sandbox/truth/maxemail`, docs/CONTRACTS.md 5.3, 8-10),
counted with NumPy over the world's columns (sandbox.maxemail.visible).

Section 4's campaign report per message (`campaign_id` = the email id as text, plus
`message_type`) over the events visible at the clock. Counts are distinct lower-cased addresses
(or phone numbers); delivered = sent and not bounced; clicks include responders;
`unsubscribe_count` = global + local; `complaint_count` = feedback. A bounce's class comes from
the digits of the reason's leading token (4xx soft, 5xx hard, 57x block, which the report counts
as soft), falling back on the bounce type (`permanent` → hard, else soft) for any other code.
Times are those of the files (local, whole seconds) read back as naive UTC. The report marts'
pairs and campaigns are sandbox.maxemail.pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

import numpy as np

from sandbox.maxemail.files import URL_SLOTS
from sandbox.maxemail.human import engagement, engagement_of_reads, file_rows
from sandbox.maxemail.model import MaxemailWorld, local_text, local_to_utc
from sandbox.maxemail.pairs import campaigns, pair_table, pairs
from sandbox.maxemail.reads import read_clocks
from sandbox.maxemail.visible import (
    Visible,
    bounce_class,
    bounce_code,
    distinct,
    naive_utc_texts,
    reduce_runs,
    run_starts,
    who_rank,
    who_texts,
)
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.human import CLICK, human_counts, human_report_columns, machine_pairs
from sandbox.reports.marts import (
    COMPLAINED,
    HARD_BOUNCE,
    REPEATED_SOFT_BOUNCE,
    SOFT_BOUNCE_THRESHOLD,
    UNSUBSCRIBED,
)
from sandbox.reports.params import report_params
from sandbox.timeutil import from_ms, rfc3339

__all__ = ["bounce_class", "bounce_code", "campaigns", "pair_table", "pairs", "truth"]

EVENT_TYPES = ("sent", "bounced", "unsubscribed", "complained")


def truth(
    world: MaxemailWorld, now_ms: int, zone: tzinfo, query: Mapping[str, str] | None
) -> dict[str, Any]:
    """The whole truth document at `now_ms` in the account's timezone `zone` (`query`: the
    report parameters, and `reads`: the clocks at which the loader read the files,
    sandbox.maxemail.reads). Maxemail has no unmapped-type surprise."""
    reads = read_clocks(query, now_ms)
    seen = Visible(world, now_ms, zone)
    own = maxemail_truth(world, now_ms, zone, seen)
    if len(reads) > 1:  # issue 16: the first human open over every read's `opened` row
        earlier = [Visible(world, clock, zone) for clock in reads[:-1]]
        own["machine_pairs"] = machine_pairs(engagement_of_reads(seen, earlier))
    return truth_document(
        own,
        pair_table(world, now_ms, zone, seen, reads),
        campaigns(world, now_ms, zone, seen),
        report_params(query, now_ms),
    )


def file_time_utc(at_s: int, zone: tzinfo) -> str:
    """The naive UTC time a reader gets from the file's local timestamp (whole seconds)."""
    return local_to_utc(local_text(at_s, zone), zone).strftime("%Y-%m-%dT%H:%M:%S")


def maxemail_truth(
    world: MaxemailWorld, now_ms: int, zone: tzinfo, seen: Visible | None = None
) -> dict[str, Any]:
    """The truth document: `now`, `campaign_report`, `event_counts` (by email id), plus the
    marts' `link_activity` and `suppressions` (sandbox.reports.marts): a `clicked` row's click
    count at the clock is its visible clicks, so the highest count seen per recipient and URL
    is the number of visible clicks on it; `feedback` unsubscribes are complaints."""
    seen = seen or Visible(world, now_ms, zone)
    return {
        "now": rfc3339(from_ms(now_ms)),
        **_reports(seen),
        "link_activity": _link_activity(seen),
        "suppressions": _suppressions(seen),
        "machine_pairs": machine_pairs(engagement(seen)),
    }


def _reports(seen: Visible) -> dict[str, list[dict[str, Any]]]:
    """`campaign_report` and `event_counts`: one row per message with a visible event."""
    world, m = seen.world, len(seen.world.messages)
    span = 2 * max(len(world.recipients), 1)
    sent, bounce, opened, clicked = (seen.of(k) for k in ("sent", "bounce", "open", "click"))
    feedback = seen.feedback()
    unsubscribed = seen.of("unsubscribe") & ~feedback

    def pairs_of(mask: np.ndarray) -> np.ndarray:
        keys = seen.pair[seen.grouped(mask)]
        return keys[run_starts(keys)]

    def per_message(keys: np.ndarray) -> np.ndarray:
        return np.bincount(keys // span, minlength=m)

    def events(mask: np.ndarray) -> np.ndarray:
        return np.bincount(seen.message[mask], minlength=m)

    def latest(mask: np.ndarray) -> np.ndarray:
        result = np.full(m, -1, np.int64)
        events = seen.grouped(mask)  # by pair, so by message
        messages, at = reduce_runs(np.maximum, seen.message[events], seen.at_s[events])
        result[messages] = at
        return result

    sent_pairs, bounced_pairs = pairs_of(sent), pairs_of(bounce)
    hard_pairs = pairs_of(bounce & seen.bounce_hard[seen.detail])
    counts = {
        "sent": per_message(sent_pairs),
        "delivered": per_message(np.setdiff1d(sent_pairs, bounced_pairs, assume_unique=True)),
        "opened": per_message(pairs_of(opened)),
        "clicked": per_message(pairs_of(clicked)),
        "hard": per_message(hard_pairs),
        "soft": per_message(bounced_pairs) - per_message(hard_pairs),
        "unsubscribes": per_message(pairs_of(unsubscribed)),
        "complaints": per_message(pairs_of(feedback)),
    }
    totals = {
        "sent": events(sent),
        "bounced": events(bounce),
        "unsubscribed": events(unsubscribed),
        "complained": events(feedback),
    }
    last_open, last_click = latest(opened), latest(clicked)
    human = human_counts(engagement(seen), m)

    def file_time(at_s: int) -> str | None:
        if at_s < 0:
            return None
        return naive_utc_texts(seen.clock.read_back_s(np.array([at_s], np.int64)))[0]

    report, event_counts = [], []
    mentioned = np.flatnonzero(np.bincount(seen.message, minlength=m))
    for i in sorted(mentioned.tolist(), key=lambda i: world.messages[i].email_id):
        message = world.messages[i]
        row = report_row(
            str(message.email_id),
            **{name: int(values[i]) for name, values in counts.items()},  # type: ignore[arg-type]
            last_opened_at=file_time(int(last_open[i])),
            last_clicked_at=file_time(int(last_click[i])),
            **human_report_columns(human, i, lambda ms: file_time(ms // 1000)),
        )
        report.append({**row, "message_type": message.message_type})
        for event_type in EVENT_TYPES:
            if totals[event_type][i]:
                event_counts.append(
                    {
                        "campaign_id": str(message.email_id),
                        "event_type": event_type,
                        "count": int(totals[event_type][i]),
                    }
                )
    return {"campaign_report": report, "event_counts": event_counts}


def _link_activity(seen: Visible) -> list[dict[str, Any]]:
    """`email_campaign_link_activity`: per message and URL, the visible clicks and clickers."""
    clicks = seen.grouped(seen.of("click"))
    messages = seen.world.messages
    slots = seen.message[clicks].astype(np.int64) * URL_SLOTS + seen.detail[clicks]
    totals = np.bincount(slots, minlength=len(messages) * URL_SLOTS)
    # distinct (message, recipient, URL), counted per (message, URL)
    clicked = distinct(seen.pair[clicks] * URL_SLOTS + seen.detail[clicks])
    span = 2 * max(len(seen.world.recipients), 1)
    clicked_slots = clicked // URL_SLOTS // span * URL_SLOTS + clicked % URL_SLOTS
    clickers = np.bincount(clicked_slots, minlength=len(messages) * URL_SLOTS)
    # issue 16: the `clicked` rows (per recipient and URL, at the latest click) that are human
    url_rows = file_rows(seen)[CLICK][0]
    url_rows = url_rows[seen.machine[url_rows] == 0]
    human_slots = seen.message[url_rows].astype(np.int64) * URL_SLOTS + seen.detail[url_rows]
    human_clickers = np.bincount(human_slots, minlength=len(messages) * URL_SLOTS)
    links: dict[tuple[str, str], list[int]] = {}
    for slot in np.flatnonzero(totals).tolist():
        message = messages[slot // URL_SLOTS]
        key = (str(message.email_id), message.urls[slot % URL_SLOTS])
        counts = links.setdefault(key, [0, 0, 0])
        counts[0] += int(clickers[slot])
        counts[1] += int(totals[slot])
        counts[2] += int(human_clickers[slot])
    return [
        {
            "campaign_id": campaign_id,
            "link_id": None,
            "link_url": url,
            "link_title": None,
            "unique_click_count": links[campaign_id, url][0],
            "total_click_count": links[campaign_id, url][1],
            "human_unique_click_count": links[campaign_id, url][2],
            # a row's click count mixes machine and human clicks: no human total (issue 16)
            "human_total_click_count": None,
        }
        for campaign_id, url in sorted(links)
    ]


_REASONS = (COMPLAINED, HARD_BOUNCE, REPEATED_SOFT_BOUNCE, UNSUBSCRIBED)  # in text order


def _suppressions(seen: Visible) -> list[dict[str, Any]]:
    """`email_recipient_suppressions`: per recipient and reason the first hard bounce,
    unsubscribe and complaint, and the third soft-class bounce, in (time, campaign id) order."""
    bounce, feedback = seen.of("bounce"), seen.feedback()
    hard = bounce & seen.bounce_hard[seen.detail]
    reason = np.full(len(seen.kind), -1, np.int8)
    reason[seen.of("unsubscribe")] = _REASONS.index(UNSUBSCRIBED)
    reason[feedback] = _REASONS.index(COMPLAINED)
    reason[hard] = _REASONS.index(HARD_BOUNCE)
    soft = bounce & ~hard
    reason[soft] = _REASONS.index(REPEATED_SOFT_BOUNCE)
    stops = np.flatnonzero(reason >= 0)
    # (time, campaign id) order; equal keys keep generation order (lexsort is stable)
    stops = stops[np.lexsort((seen.campaign_rank()[seen.message[stops]], seen.read_back_s[stops]))]
    who, why = seen.who[stops], reason[stops].astype(np.int64)
    by_who = np.argsort(who, kind="stable")
    who_sorted, why_sorted = who[by_who], why[by_who]
    # the n-th soft-class bounce of each recipient
    soft_sorted = why_sorted == _REASONS.index(REPEATED_SOFT_BOUNCE)
    n_soft = np.cumsum(soft_sorted)
    first_of_who = np.r_[True, who_sorted[1:] != who_sorted[:-1]] if len(who) else soft_sorted
    start_soft = np.maximum.accumulate(np.where(first_of_who, n_soft - soft_sorted, 0))
    nth = np.where(soft_sorted, n_soft - start_soft, 0)
    keep = ~soft_sorted | (nth == SOFT_BOUNCE_THRESHOLD)
    picked = by_who[keep]
    # first per (recipient, reason)
    key = who[picked] * len(_REASONS) + why[picked]
    by_key = np.argsort(key, kind="stable")
    first = by_key[run_starts(key[by_key])]
    chosen = stops[picked[first]]
    chosen_why = why[picked[first]]
    rank = who_rank(seen.world)[seen.who[chosen]]
    order = np.lexsort((chosen_why, rank))
    chosen, chosen_why = chosen[order], chosen_why[order]
    texts = who_texts(seen.world)[seen.who[chosen]]
    times = naive_utc_texts(seen.read_back_s[chosen])
    messages = seen.world.messages
    return [
        {
            "recipient": recipient,
            "reason": _REASONS[r],
            "suppressed_since": at,
            "campaign_id": str(messages[m].email_id),
        }
        for recipient, r, at, m in zip(
            texts.tolist(),
            chosen_why.tolist(),
            times,
            seen.message[chosen].tolist(),
            strict=True,
        )
    ]
