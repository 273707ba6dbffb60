"""The (campaign, recipient) pairs every provider's world reduces to, for the report marts' truth
(docs/CONTRACTS.md sections 8 and 9) and the Benchmark simulator's reports.

Each provider's world reduces, by its own canonical mapping (CONTRACTS 4-7), to a list of
`PairFacts`: one per (campaign, recipient) pair with the **first** time (epoch ms) of each
canonical kind (`sent, delivered, opened, clicked, bounced, unsubscribed, complained`), the
pair's bounce class (`hard` when any bounce is hard, else `soft` for soft/block/unknown;
informational bounces are no bounces) - the grain of `fct_email_deliveries` (CONTRACTS 8) - and
every sent, delivered and bounced event (the histogram types that count every event).

Provider mappings (the marts' `fct_email_deliveries` and `fct_email_events` must agree):

* APSIS One: visible logical events at their effective time (`sandbox.truth.effective_time_ms`),
  recipient = lower-cased address, campaign = main activity.
* Maxemail: times are the files' local text read back as UTC (whole seconds; an ambiguous
  fall-back time reads as its first instant). Delivery is derived: a pair is delivered when sent
  and not bounced (bounces visible at the clock) and ASSUMPTION `first_delivered_at` =
  `first_sent_at` (one derived delivery per delivered pair). Opens and clicks are what the files
  show at the clock: the `opened` file has one row per pair at its **latest** open, so
  `first_opened_at` = the earliest open timestamp among the rows visible at the clock = that
  latest open (a loader that read earlier exports keeps earlier rows, and its `first_opened_at`
  can only be earlier); `first_clicked_at` = the earliest of the `clicked` rows (latest click per
  URL) and the `responded` row (first click), i.e. the first click. `feedback` unsubscribes are
  complaints.
* Netcore: each message in its state at the clock: sent at `requestedTime` (when sent), delivered
  at `deliveryTime`, opens/clicks at their times, bounce/unsubscribe/spam at `modifiedTime`, class
  from the status, or for a plain `bounce` from its remarks (`sandbox.netcore_truth.bounce_class`);
  times read back from the account-local text.
* Benchmark: the visible campaign contact events (the simulator's `Digest` clock), pairs
  (campaign, contact id), a bounce hard when its `emailBounceType` is `hard`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from sandbox.timeutil import to_ms

if TYPE_CHECKING:
    from sandbox.benchmark_truth import Digest
    from sandbox.entities import ApsisEvent
    from sandbox.maxemail_events import MaxemailWorld
    from sandbox.netcore_events import NetcoreWorld

SENT, DELIVERED, OPENED, CLICKED = "sent", "delivered", "opened", "clicked"
BOUNCED, UNSUBSCRIBED, COMPLAINED = "bounced", "unsubscribed", "complained"
KINDS = (SENT, DELIVERED, OPENED, CLICKED, BOUNCED, UNSUBSCRIBED, COMPLAINED)
SOFT_CLASSES = frozenset({"soft", "block", "unknown"})

# -- the per-pair digest ------------------------------------------------------------------------


EVERY_KINDS = (SENT, DELIVERED, BOUNCED)  # the histogram types that count every event


@dataclass
class PairFacts:
    """One (campaign, recipient) pair: first time (epoch ms) per canonical kind, the pair's bounce
    class, and every event of the kinds the histogram counts one by one (`EVERY_KINDS`: time and,
    for bounces, the event's own class `hard`/`soft`)."""

    campaign_id: str
    recipient: str
    first: dict[str, int] = field(default_factory=dict)
    bounce_class: str | None = None  # "hard" | "soft" | None
    every: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)

    def at(self, kind: str) -> int | None:
        return self.first.get(kind)


class PairDigest:
    """Collects events into `PairFacts` (first time per kind; hard beats soft)."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], PairFacts] = {}

    def _pair(self, campaign_id: str, recipient: str) -> PairFacts:
        key = (campaign_id, recipient)
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = PairFacts(campaign_id, recipient)
        return pair

    def note(
        self, campaign_id: str, recipient: str, kind: str, at_ms: int, klass: str | None = None
    ) -> None:
        """An event of a canonical kind (not `bounced`: use `bounce`)."""
        pair = self._pair(campaign_id, recipient)
        if kind not in pair.first or at_ms < pair.first[kind]:
            pair.first[kind] = at_ms
        if kind in EVERY_KINDS:
            pair.every.setdefault(kind, []).append((at_ms, klass))

    def bounce(self, campaign_id: str, recipient: str, at_ms: int, bounce_class: str) -> None:
        """A bounce of class hard/soft/block/unknown; informational (or empty) is no bounce."""
        if bounce_class != "hard" and bounce_class not in SOFT_CLASSES:
            return
        klass = "hard" if bounce_class == "hard" else "soft"
        pair = self._pair(campaign_id, recipient)
        self.note(campaign_id, recipient, BOUNCED, at_ms, klass)
        if klass == "hard" or pair.bounce_class is None:
            pair.bounce_class = klass

    def derive_delivered(self) -> None:
        """Maxemail's rule: delivered = sent and not bounced, at the first send (one derived
        delivery per pair)."""
        for pair in self.pairs.values():
            if SENT in pair.first and BOUNCED not in pair.first:
                pair.first[DELIVERED] = pair.first[SENT]
                pair.every[DELIVERED] = [(pair.first[SENT], None)]

    def facts(self) -> list[PairFacts]:
        return [self.pairs[key] for key in sorted(self.pairs)]


# -- provider mappings --------------------------------------------------------------------------


def apsis_one_pairs(events: Iterable[ApsisEvent], now_ms: int) -> list[PairFacts]:
    from sandbox.entities import BOUNCED as APSIS_BOUNCED
    from sandbox.entities import CANONICAL_TYPES, bounce_class
    from sandbox.truth import effective_time_ms

    digest = PairDigest()
    for event in events:
        if event.available_ms >= now_ms:
            continue
        campaign_id, key, at = event.campaign.id, event.recipient.key, effective_time_ms(event)
        if event.type == APSIS_BOUNCED:
            digest.bounce(campaign_id, key, at, bounce_class(event.bounce_code))
        else:
            kind = CANONICAL_TYPES[event.type]
            if kind in KINDS:
                digest.note(campaign_id, key, kind, at)
    return digest.facts()


def read_back_ms(at_s: int, zone: tzinfo) -> int:
    """Epoch ms a loader gets from the account-local `YYYY-MM-DD HH:MM:SS` text of `at_s`
    (Maxemail and Netcore write the same format; an ambiguous time reads as its first instant)."""
    local = datetime.fromtimestamp(at_s, zone).strftime("%Y-%m-%d %H:%M:%S")
    parsed = datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
    return to_ms(parsed.astimezone(UTC))


def maxemail_pairs(world: MaxemailWorld, now_ms: int, zone: tzinfo) -> list[PairFacts]:
    from sandbox.maxemail_events import BOUNCE, CLICK, OPEN, UNSUBSCRIBE
    from sandbox.maxemail_events import SENT as MAX_SENT
    from sandbox.maxemail_truth import bounce_class

    digest = PairDigest()
    latest_open: dict[tuple[str, str], int] = {}
    latest_click: dict[tuple[str, str, str], int] = {}
    for event in world.events:
        if event.available_ms >= now_ms:
            continue
        campaign_id, key = str(event.message.email_id), event.address.lower()
        if event.kind == MAX_SENT:
            digest.note(campaign_id, key, SENT, read_back_ms(event.at_s, zone))
        elif event.kind == BOUNCE:
            klass = bounce_class(event.bounce_type, event.bounce_reason)
            digest.bounce(campaign_id, key, read_back_ms(event.at_s, zone), klass)
        elif event.kind == UNSUBSCRIBE:
            kind = COMPLAINED if event.unsubscribe_type == "feedback" else UNSUBSCRIBED
            digest.note(campaign_id, key, kind, read_back_ms(event.at_s, zone))
        elif event.kind == OPEN:
            pair = (campaign_id, key)
            latest_open[pair] = max(event.at_s, latest_open.get(pair, event.at_s))
        elif event.kind == CLICK:
            # `responded` row: the first click of the pair; `clicked` rows: latest per URL
            digest.note(campaign_id, key, CLICKED, read_back_ms(event.at_s, zone))
            link = (campaign_id, key, event.url)
            latest_click[link] = max(event.at_s, latest_click.get(link, event.at_s))
    for (campaign_id, key), at_s in latest_open.items():
        digest.note(campaign_id, key, OPENED, read_back_ms(at_s, zone))
    for (campaign_id, key, _), at_s in latest_click.items():
        digest.note(campaign_id, key, CLICKED, read_back_ms(at_s, zone))
    digest.derive_delivered()
    return digest.facts()


def netcore_pairs(world: NetcoreWorld, now_ms: int, zone: tzinfo) -> list[PairFacts]:
    from sandbox.netcore_events import SPAM
    from sandbox.netcore_events import UNSUBSCRIBE as NC_UNSUBSCRIBE
    from sandbox.netcore_truth import bounce_class

    digest = PairDigest()
    for state in world.states(now_ms, 0, now_ms // 1000 + 1):
        message = state.message
        campaign_id, key = message.campaign.id, message.address.lower()
        if state.sent:
            digest.note(campaign_id, key, SENT, read_back_ms(message.requested_s, zone))
        if state.delivered_s is not None:
            digest.note(campaign_id, key, DELIVERED, read_back_ms(state.delivered_s, zone))
        for open_ in state.opens:
            digest.note(campaign_id, key, OPENED, read_back_ms(open_[0], zone))
        for click in state.clicks:
            digest.note(campaign_id, key, CLICKED, read_back_ms(click[0], zone))
        modified = read_back_ms(state.modified_s, zone)
        klass = bounce_class(state.status, state.remarks)
        if klass is not None:
            digest.bounce(campaign_id, key, modified, klass)
        elif state.status == NC_UNSUBSCRIBE:
            digest.note(campaign_id, key, UNSUBSCRIBED, modified)
        elif state.status == SPAM:
            digest.note(campaign_id, key, COMPLAINED, modified)
    return digest.facts()


def benchmark_pairs(d: Digest) -> list[PairFacts]:
    """The campaign contact events visible at the Digest's clock (the simulator's reports read
    the same pairs); a bounce is hard when its `emailBounceType` is `hard`, else soft."""
    from sandbox.benchmark_events import BOUNCED as BME_BOUNCED
    from sandbox.benchmark_events import CANONICAL

    digest = PairDigest()
    for event in d.world.events:
        if event.available_ms >= d.now_ms or event.campaign is None:
            continue
        campaign_id, contact_id = event.campaign.id, event.contact.contact_id
        if event.type == BME_BOUNCED:
            klass = "hard" if event.field("emailBounceType") == "hard" else "soft"
            digest.bounce(campaign_id, contact_id, event.at_ms, klass)
        elif CANONICAL.get(event.type) in KINDS:
            digest.note(campaign_id, contact_id, CANONICAL[event.type], event.at_ms)
    return digest.facts()
