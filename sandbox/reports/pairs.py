"""The (campaign, recipient) pairs every provider's world reduces to, for the report marts' truth
(docs/CONTRACTS.md sections 8 and 9) and the Benchmark simulator's reports.

Each provider's world reduces, by its own canonical mapping (CONTRACTS 4-7), to a list of
`PairFacts`: one per (campaign, recipient) pair with the **first** time (epoch ms) of each
canonical kind (`sent, delivered, opened, clicked, bounced, unsubscribed, complained`), the
pair's bounce class (`hard` when any bounce is hard, else `soft` for soft/block/unknown;
informational bounces are no bounces) - the grain of `fct_email_deliveries` (CONTRACTS 8) - and
every sent, delivered and bounced event (the histogram types that count every event).

Provider mappings, each `pairs()` in sandbox/<provider>/truth.py (the marts'
`fct_email_deliveries` and `fct_email_events` must agree):

* APSIS One: visible logical events at their effective time
  (`sandbox.apsis_one.truth.effective_time_ms`), recipient = lower-cased address, campaign = main
  activity.
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
  from the status, or for a plain `bounce` from its remarks
  (`sandbox.netcore.bounces.bounce_class`); times read back from the account-local text.
* Benchmark: the visible campaign contact events (the simulator's `Digest` clock), pairs
  (campaign, contact id), a bounce hard when its `emailBounceType` is `hard`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sandbox.timeutil import to_ms

SENT, DELIVERED, OPENED, CLICKED = "sent", "delivered", "opened", "clicked"
BOUNCED, UNSUBSCRIBED, COMPLAINED = "bounced", "unsubscribed", "complained"
KINDS = (SENT, DELIVERED, OPENED, CLICKED, BOUNCED, UNSUBSCRIBED, COMPLAINED)
# The first human open / click of a pair as the warehouse can see it (issue 16): held apart from
# KINDS in `PairTable.human` (sandbox.reports.table), so every loop over KINDS stays as it was.
HUMAN_OPENED, HUMAN_CLICKED = "human_opened", "human_clicked"
HUMAN_KINDS = (HUMAN_OPENED, HUMAN_CLICKED)
HUMAN_OF = {HUMAN_OPENED: OPENED, HUMAN_CLICKED: CLICKED}
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
    # issue 16: `first` holds HUMAN_KINDS too (the provider knew the truth labels); a pair that
    # is not labelled counts every open and click as human
    labelled: bool = False

    def at(self, kind: str) -> int | None:
        if kind in HUMAN_OF and not self.labelled:
            return self.first.get(HUMAN_OF[kind])
        return self.first.get(kind)


class PairDigest:
    """Collects events into `PairFacts` (first time per kind; hard beats soft)."""

    def __init__(self, labelled: bool = False) -> None:
        self.pairs: dict[tuple[str, str], PairFacts] = {}
        self.labelled = labelled  # the notes include HUMAN_KINDS (PairFacts.labelled)

    def _pair(self, campaign_id: str, recipient: str) -> PairFacts:
        key = (campaign_id, recipient)
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = PairFacts(campaign_id, recipient, labelled=self.labelled)
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


def read_back_ms(at_s: int, zone: tzinfo) -> int:
    """Epoch ms a loader gets from the account-local `YYYY-MM-DD HH:MM:SS` text of `at_s`
    (Maxemail and Netcore write the same format; an ambiguous time reads as its first instant)."""
    local = datetime.fromtimestamp(at_s, zone).strftime("%Y-%m-%d %H:%M:%S")
    parsed = datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
    return to_ms(parsed.astimezone(UTC))
