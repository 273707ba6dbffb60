"""Ground truth of Netcore (`GET /_sandbox/truth/netcore`, docs/CONTRACTS.md 6.3, 8-10, 14).

Section 4's campaign report per campaign (`campaign_id` = `xapiheader`) over the messages
requested before the clock, each in its status at the clock (`sandbox.netcore.model.state_at`):

* `sent_count`: distinct lower-cased recipients with a message that was sent (status neither
  `processed`, `dropped` nor `invalid`); `delivered_count`: … with a delivery time;
* `unique_open_count` / `unique_click_count`: … with at least one open / click so far;
  `last_opened_at` / `last_clicked_at`: the latest open / click, naive UTC, whole seconds (the
  account-local text read back, as a loader reads it);
* `hard_bounce_count`: … with a bounce of class `hard` (sandbox.netcore.bounces);
  `soft_bounce_count`: … with a bounce of class soft, block or unknown and no hard bounce;
  `bounce_count` = hard + soft; `unsubscribe_count`: status `unsubscribe`; `complaint_count`:
  status `spam`; rates: percentages of delivered (sandbox.reports.campaign).

`event_counts` counts logical events (one per message) of the types a message row gives exactly:
`sent`, `delivered`, `bounced`, `dropped` (dropped and invalid), `unsubscribed`, `complained`.
Opens and clicks are in the report (unique counts, last times); every open/click entry is also an
event, but those are left out here as in the Maxemail truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

import numpy as np

from sandbox.netcore.bounces import BOUNCE_STATUSES, bounce_class
from sandbox.netcore.facts import CLASS_CODE, seen
from sandbox.netcore.human import engagement
from sandbox.netcore.marts_truth import link_activity, suppressions
from sandbox.netcore.model import DROPPED, INVALID, LOCAL_FORMAT, SPAM, UNSUBSCRIBE, local_text
from sandbox.netcore.pairtable import pair_table
from sandbox.netcore.states import States
from sandbox.netcore.store import STATUS_CODE, NetcoreWorld
from sandbox.netcore.surprise import unknown_counts
from sandbox.reports import pairs as kinds
from sandbox.reports.campaign import report_row
from sandbox.reports.document import truth_document
from sandbox.reports.human import human_counts, human_report_columns, machine_pairs
from sandbox.reports.marts import SOFT_CLASSES
from sandbox.reports.overall import CampaignFacts
from sandbox.reports.pairs import PairDigest, PairFacts, read_back_ms
from sandbox.reports.params import report_params
from sandbox.timeutil import from_ms, rfc3339

EVENT_TYPES = ("sent", "delivered", "bounced", "dropped", "unsubscribed", "complained")
_KEY_SPACE = 1 << 32  # (campaign, key) pairs coded campaign * _KEY_SPACE + key


def truth(
    world: NetcoreWorld,
    now_ms: int,
    zone: tzinfo,
    query: Mapping[str, str] | None,
    unknown_status: str,
    unknown_every: int,
) -> dict[str, Any]:
    """The whole truth document at `now_ms` in the account's timezone `zone` (`query`: the
    report parameters; the surprise settings give `unmapped_event_types`)."""
    try:
        return truth_document(
            netcore_truth(world, now_ms, zone),
            pair_table(world, now_ms, zone),
            campaigns(world),
            report_params(query, now_ms),
            unknown_counts(world, now_ms, unknown_status, unknown_every),
        )
    finally:
        world.cache.pop("seen", None)  # the states at the clock, shared by the parts above


def read_back_utc(at_s: int, zone: tzinfo) -> str:
    """The naive UTC time a reader gets from Netcore's local text of `at_s` (whole seconds)."""
    local = datetime.strptime(local_text(at_s, zone), LOCAL_FORMAT).replace(tzinfo=zone)
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class _Pairs:
    """The distinct (campaign, key) pairs of the states, to count distinct keys per campaign."""

    def __init__(self, campaign: np.ndarray, key: np.ndarray) -> None:
        codes, self.pair = np.unique(campaign * _KEY_SPACE + key, return_inverse=True)
        self.campaign = codes // _KEY_SPACE

    def having(self, mask: np.ndarray) -> np.ndarray:
        """Which pairs have a masked state."""
        found = np.zeros(len(self.campaign), bool)
        found[self.pair[mask]] = True
        return found

    def count(self, pairs: np.ndarray, size: int) -> np.ndarray:
        """Per campaign, how many of `pairs` (a mask over the pairs) it has."""
        return np.bincount(self.campaign[pairs], minlength=size)


def _last(campaign: np.ndarray, at: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Per campaign, the latest of the masked times (-1: none)."""
    result = np.full(size, -1, np.int64)
    np.maximum.at(result, campaign[mask], at[mask])
    return result


def netcore_truth(world: NetcoreWorld, now_ms: int, zone: tzinfo) -> dict[str, Any]:
    """The truth document: `now`, `campaign_report`, `event_counts` (by campaign id), plus the
    marts' `link_activity` (one click per nested `clicks` entry) and `suppressions` (by
    `bounce_class`; bounces, unsubscribes and spam reports at `modified_time`); counted with
    arrays over the world's columns."""
    facts = seen(world, now_ms)
    states, campaign, key, klass = facts.states, facts.campaign, facts.key, facts.klass
    size, status = len(world.campaigns), states.status
    bounced = np.isin(status, [STATUS_CODE[s] for s in BOUNCE_STATUSES])
    hard = bounced & (klass == CLASS_CODE["hard"])
    soft = bounced & np.isin(klass, [CLASS_CODE[c] for c in SOFT_CLASSES])
    unsubscribed = status == STATUS_CODE[UNSUBSCRIBE]
    complained = status == STATUS_CODE[SPAM]
    opened, clicked = states.opens > 0, states.clicks > 0
    delivered = states.delivered_s >= 0
    last_open = _last(
        campaign, _last_event(world.open_start, world.open_at, states, "opens"), opened, size
    )
    last_click = _last(
        campaign, _last_event(world.click_start, world.click_at, states, "clicks"), clicked, size
    )
    pairs = _Pairs(campaign, key)
    hard_pairs = pairs.having(hard)
    counts = {
        name: pairs.count(pairs.having(mask), size)
        for name, mask in (
            ("sent", states.sent), ("delivered", delivered), ("opened", opened),
            ("clicked", clicked), ("unsubscribes", unsubscribed), ("complaints", complained),
        )
    }  # fmt: skip
    counts["hard"] = pairs.count(hard_pairs, size)
    counts["soft"] = pairs.count(pairs.having(soft) & ~hard_pairs, size)
    events = {
        "sent": np.bincount(campaign[states.sent], minlength=size),
        "delivered": np.bincount(campaign[delivered], minlength=size),
        "bounced": np.bincount(campaign[bounced], minlength=size),
        "dropped": np.bincount(
            campaign[np.isin(status, [STATUS_CODE[DROPPED], STATUS_CODE[INVALID]])], minlength=size
        ),
        "unsubscribed": np.bincount(campaign[unsubscribed], minlength=size),
        "complained": np.bincount(campaign[complained], minlength=size),
    }
    e = engagement(world, facts)
    human = human_counts(e, size)

    def human_text(ms: int) -> str:
        return read_back_utc(ms // 1000, zone)

    present = set(np.unique(campaign).tolist())
    report: list[dict[str, Any]] = []
    event_counts: list[dict[str, Any]] = []
    for c in sorted(present, key=lambda c: world.campaigns[c].id):
        campaign_id = world.campaigns[c].id
        report.append(
            report_row(
                campaign_id,
                sent=int(counts["sent"][c]),
                delivered=int(counts["delivered"][c]),
                opened=int(counts["opened"][c]),
                last_opened_at=None if last_open[c] < 0 else read_back_utc(int(last_open[c]), zone),
                clicked=int(counts["clicked"][c]),
                last_clicked_at=None
                if last_click[c] < 0
                else read_back_utc(int(last_click[c]), zone),
                hard=int(counts["hard"][c]),
                soft=int(counts["soft"][c]),
                unsubscribes=int(counts["unsubscribes"][c]),
                complaints=int(counts["complaints"][c]),
                **human_report_columns(human, c, human_text),
            )
        )
        event_counts.extend(
            {
                "campaign_id": campaign_id,
                "event_type": event_type,
                "count": int(events[event_type][c]),
            }
            for event_type in EVENT_TYPES
            if events[event_type][c]
        )
    return {
        "now": rfc3339(from_ms(now_ms)),
        "campaign_report": report,
        "event_counts": event_counts,
        "link_activity": link_activity(world, facts),
        "suppressions": suppressions(world, facts, zone),
        "machine_pairs": machine_pairs(e),
    }


def _last_event(starts: np.ndarray, at: np.ndarray, states: States, kind: str) -> np.ndarray:
    """Per state, the time of its last seen open or click (garbage where it has none)."""
    counts = states.opens if kind == "opens" else states.clicks
    if not len(at):
        return np.zeros(len(states), np.int64)
    index = starts[states.rows] + np.maximum(counts, 1) - 1
    return at[np.minimum(index, len(at) - 1)]


def _human(ip: str, prefixes: tuple[str, ...]) -> bool:
    """Not a machine's address: in none of the world's machine prefixes (text form)."""
    return not ip.startswith(prefixes)


def pairs(world: NetcoreWorld, now_ms: int, zone: tzinfo) -> list[PairFacts]:
    """The report marts' pairs (sandbox.reports.pairs) one message at a time (the reference the
    tests hold `pair_table` to): each message in its state at the clock,
    sent at `requestedTime`, delivered at `deliveryTime`, opens and clicks at their times, a
    bounce, unsubscribe or spam report at `modifiedTime`; times read back from the local text."""
    digest = PairDigest(labelled=True)
    for state in world.states(now_ms, 0, now_ms // 1000 + 1):
        message = state.message
        campaign_id, key = message.campaign.id, message.address.lower()
        if state.sent:
            digest.note(campaign_id, key, kinds.SENT, read_back_ms(message.requested_s, zone))
        if state.delivered_s is not None:
            digest.note(campaign_id, key, kinds.DELIVERED, read_back_ms(state.delivered_s, zone))
        for open_ in state.opens:
            digest.note(campaign_id, key, kinds.OPENED, read_back_ms(open_[0], zone))
            if _human(open_[1], world.machine_prefixes):
                digest.note(campaign_id, key, kinds.HUMAN_OPENED, read_back_ms(open_[0], zone))
        for click in state.clicks:
            digest.note(campaign_id, key, kinds.CLICKED, read_back_ms(click[0], zone))
            if _human(click[1], world.machine_prefixes):
                digest.note(campaign_id, key, kinds.HUMAN_CLICKED, read_back_ms(click[0], zone))
        modified = read_back_ms(state.modified_s, zone)
        klass = bounce_class(state.status, state.remarks)
        if klass is not None:
            digest.bounce(campaign_id, key, modified, klass)
        elif state.status == UNSUBSCRIBE:
            digest.note(campaign_id, key, kinds.UNSUBSCRIBED, modified)
        elif state.status == SPAM:
            digest.note(campaign_id, key, kinds.COMPLAINED, modified)
    return digest.facts()


def campaigns(world: NetcoreWorld) -> list[CampaignFacts]:
    """No campaign metadata: the name is the messages' `tags`, no scheduled time."""
    return [CampaignFacts(c.id, c.name, None) for c in world.campaigns]
