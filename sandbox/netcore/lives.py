"""The life of each Netcore message, drawn into columns (sandbox.netcore.events has the story).

`Lives.campaign` draws a campaign's messages from the world's Netcore stream, in exactly the order
and with exactly the draws the message-object generator used, and appends them to `array.array`
columns (sandbox.netcore.convert): times as seconds after the request, statuses, remarks, finals
and links as small codes, IPs as numbers. Addresses are unique lower-cased, so a recipient's
suppression is kept by recipient index.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from sandbox.config import WorldConfig
from sandbox.machines import NO_VISIT, ip_number, machine_rng, machine_traits, visit
from sandbox.netcore.convert import new_arrays, sorted_columns
from sandbox.netcore.model import (
    BOUNCE,
    DELIVERED,
    DROPPED,
    DROPPED_REMARK,
    HARD_REMARKS,
    HARDBOUNCE,
    INVALID,
    INVALID_REMARK,
    PLAIN_HARD_REMARKS,
    PLAIN_SOFT_REMARKS,
    SOFT_REMARKS,
    SOFTBOUNCE,
    NetcoreCampaign,
)
from sandbox.netcore.store import DELIVERY_REMARK, NONE, REMARK_CODE, STATUS_CODE, ip_text

ACTIVITY_HOURS = 72  # every change of a message happens within this long after its request
FIRST_TRID = 14_652_378_013_752_609  # > 2**53: a float cannot hold most trids exactly
HARD_BOUNCE_RATE = 0.02
SOFT_BOUNCE_RATE = 0.025
INVALID_RATE = 0.01
QUEUED_RATE = 0.01  # sent minutes after the request (throttling), the rest within seconds
# The second link has a comma and a space (CSV and JSON-in-CSV quoting).
LINK_TEMPLATES = (
    "https://shop.example.in/{slug}?utm_source=netcore&utm_campaign={campaign}",
    "https://shop.example.in/{slug}/deals, today only",
    "https://blog.example.in/{slug}/read-more",
)
_DROPPED, _INVALID, _DELIVERED = STATUS_CODE[DROPPED], STATUS_CODE[INVALID], STATUS_CODE[DELIVERED]
_HARD_CODES = tuple(REMARK_CODE[r] for r in HARD_REMARKS)
_SOFT_CODES = tuple(REMARK_CODE[r] for r in SOFT_REMARKS)
# Plain `bounce` rows: (status code, the remark codes cycled), by Netcore's own class.
_PLAIN = {
    STATUS_CODE[HARDBOUNCE]: tuple(REMARK_CODE[r] for r in PLAIN_HARD_REMARKS),
    STATUS_CODE[SOFTBOUNCE]: tuple(REMARK_CODE[r] for r in PLAIN_SOFT_REMARKS),
}
_BOUNCE = STATUS_CODE[BOUNCE]
_NEVER = 2**62


def between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _ip(random_: Any) -> int:
    """49.[32-47].[0-255].[1-254] as a number (three draws, as the text form took them)."""
    return (
        (49 << 24)
        | ((32 + int(random_() * 16)) << 16)
        | (int(random_() * 256) << 8)
        | (1 + int(random_() * 254))
    )


def _open_key(event: tuple[int, int]) -> tuple[int, str]:
    return event[0], ip_text(event[1])


class Lives:
    """Draws each message's life into columns; remembers suppressed recipients for later
    campaigns."""

    def __init__(self, rng: random.Random, cfg: WorldConfig, end_s: int, recipients: int) -> None:
        self.rng, self.cfg, self.end_s = rng, cfg, end_s
        self.arrays = new_arrays()
        self.trid = FIRST_TRID + between(rng, 0, 10**9)
        self.suppressed = [_NEVER] * recipients  # by recipient index: suppressed since
        self.bounces = {STATUS_CODE[HARDBOUNCE]: 0, STATUS_CODE[SOFTBOUNCE]: 0}
        # machine engagement (sandbox.machines): own stream, events added to the human ones
        self.machine_rng = machine_rng(cfg, "netcore")
        self.traits = machine_traits(cfg, recipients)
        self.machines = self.traits.any

    def _machine_events(
        self,
        person: int,
        delivered: int,
        bound: int,
        campaign: NetcoreCampaign,
        opens: list[tuple[int, int]],
        clicks: list[tuple[int, int, int]],
    ) -> None:
        """A proxy's open from `proxy_ip_prefix`, a scanner's clicks on every link and sometimes
        its open from `scanner_ip_prefix` (machine stream), merged in the existing sort order."""
        proxied, scanned = bool(self.traits.proxied[person]), bool(self.traits.scanned[person])
        if not (proxied or scanned):
            return
        rng, cfg = self.machine_rng, self.cfg
        found = visit(rng, cfg, proxied, scanned, delivered * 1000, len(campaign.links))
        if found is NO_VISIT:
            return
        if found.proxy_open is not None:
            opens.append(
                (min(found.proxy_open // 1000, bound), ip_number(cfg.proxy_ip_prefix, rng))
            )
        if found.clicks:
            scanner = ip_number(cfg.scanner_ip_prefix, rng)
            clicks.extend((min(at // 1000, bound), scanner, link) for at, link in found.clicks)
            if found.scanner_open is not None:
                opens.append((min(found.scanner_open // 1000, bound), scanner))
        opens.sort(key=_open_key)
        texts = campaign.links
        clicks.sort(key=lambda c: (c[0], ip_text(c[1]), texts[c[2]]))

    def _bounce_report(self, kind: int, remark: int) -> tuple[int, int]:
        """The status and remark of the next bounce of `kind`: every n-th is a plain `bounce`
        with the next remark of its class (no draw, so the random stream stays the same)."""
        self.bounces[kind] += 1
        every, count = self.cfg.netcore_plain_bounce_every, self.bounces[kind]
        if every <= 0 or count % every:
            return kind, remark
        plain = _PLAIN[kind]
        return _BOUNCE, plain[(count // every - 1) % len(plain)]

    def columns(self) -> dict[str, np.ndarray]:
        return sorted_columns(self.arrays)

    def campaign(self, index: int, campaign: NetcoreCampaign, recipients: list[int]) -> None:
        """The messages of one campaign to `recipients` (indices), in the drawn order."""
        rng, cfg, end_s, suppressed = self.rng, self.cfg, self.end_s, self.suppressed
        random_ = rng.random
        a = self.arrays
        trids, campaigns, people, requests = (
            a["trid"],
            a["campaign"],
            a["recipient"],
            a["requested_s"],
        )
        sizes, outcomes, outcome_dts, sent_dts = (
            a["size"],
            a["outcome"],
            a["outcome_dt"],
            a["sent_dt"],
        )
        remarks, finals, final_dts = a["remark"], a["final"], a["final_dt"]
        open_counts, click_counts = a["open_count"], a["click_count"]
        open_at, open_ip = a["open_at"], a["open_ip"]
        click_at, click_ip, click_link = a["click_at"], a["click_ip"], a["click_link"]
        start_s, base_size, links = campaign.start_s, campaign.size, len(campaign.links)
        open_rate, click_rate = cfg.open_rate, cfg.click_rate
        click_without_open, unsubscribe = cfg.click_without_open_rate, cfg.unsubscribe_rate
        final_rate = cfg.unsubscribe_rate + cfg.abuse_rate
        hard_soft = HARD_BOUNCE_RATE + SOFT_BOUNCE_RATE
        activity = ACTIVITY_HOURS * 3600 - 1
        for person in recipients:
            self.trid += 1 + int(random_() * 999_999)
            requested = start_s + int(random_() * 601)
            if requested >= end_s:
                continue
            bound = requested + activity
            size = base_size + int(random_() * 401)
            opens: list[tuple[int, int]] = []
            clicks: list[tuple[int, int, int]] = []
            final, final_s, sent_dt = 0, 0, NONE
            if suppressed[person] < requested:
                outcome, outcome_dt, remark = (
                    _DROPPED,
                    1 + int(random_() * 3),
                    REMARK_CODE[DROPPED_REMARK],
                )
            elif random_() < INVALID_RATE:
                outcome, outcome_dt, remark = (
                    _INVALID,
                    1 + int(random_() * 3),
                    REMARK_CODE[INVALID_REMARK],
                )
            else:
                if random_() < QUEUED_RATE:
                    sent = requested + 300 + int(random_() * 5101)
                else:
                    sent = requested + 1 + int(random_() * 20)
                sent_dt = sent - requested
                roll = random_()
                if roll < HARD_BOUNCE_RATE:
                    bounce = min(sent + 2 + int(random_() * 599), bound)
                    if bounce < suppressed[person]:
                        suppressed[person] = bounce
                    outcome, remark = self._bounce_report(
                        STATUS_CODE[HARDBOUNCE], _HARD_CODES[int(random_() * len(_HARD_CODES))]
                    )
                    outcome_dt = bounce - requested
                elif roll < hard_soft:
                    # Retried, then given up: a soft bounce hours or days after the send.
                    bounce = min(sent + 3600 + int(random_() * (47 * 3600 + 1)), bound)
                    outcome, remark = self._bounce_report(
                        STATUS_CODE[SOFTBOUNCE], _SOFT_CODES[int(random_() * len(_SOFT_CODES))]
                    )
                    outcome_dt = bounce - requested
                else:
                    delivered = sent + 1 + int(random_() * 30)
                    outcome, outcome_dt, remark = _DELIVERED, delivered - requested, DELIVERY_REMARK
                    if random_() < open_rate:
                        first = delivered + round(min(rng.expovariate(1 / 8), 60.0) * 3600)
                        times = [first] + [
                            first + 60 + int(random_() * (36 * 3600 - 59))
                            for _ in range(int(random_() * 4))
                        ]
                        opens = [(min(t, bound), _ip(random_)) for t in times]
                        opens.sort(key=_open_key)
                        if random_() < click_rate:
                            for _ in range(1 + int(random_() * 3)):
                                base = opens[int(random_() * len(opens))][0]
                                link = int(random_() * links)
                                at = min(base + 5 + int(random_() * 1196), bound)
                                clicks.append((at, _ip(random_), link))
                    elif random_() < click_without_open:  # images blocked: a click, no open
                        at = min(delivered + 600 + int(random_() * (24 * 3600 - 599)), bound)
                        clicks.append((at, _ip(random_), 0))
                    if len(clicks) > 1:
                        texts = campaign.links
                        clicks.sort(key=lambda c: (c[0], ip_text(c[1]), texts[c[2]]))
                    roll = random_()
                    if roll < final_rate:
                        final = 1 if roll < unsubscribe else 2
                        last = max([delivered, *(t for t, _ in opens), *(t for t, _, _ in clicks)])
                        final_s = min(last + 30 + int(random_() * (12 * 3600 - 29)), bound)
                        if final_s < suppressed[person]:
                            suppressed[person] = final_s
                        if final_s >= end_s:
                            final = 0
                    if self.machines:
                        self._machine_events(person, delivered, bound, campaign, opens, clicks)
            trids.append(self.trid)
            campaigns.append(index)
            people.append(person)
            requests.append(requested)
            sizes.append(size)
            outcomes.append(outcome)
            outcome_dts.append(outcome_dt)
            sent_dts.append(sent_dt)
            remarks.append(remark)
            finals.append(final)
            final_dts.append(final_s - requested)
            shown = 0
            for at, ip in opens:
                if at < end_s:
                    open_at.append(at)
                    open_ip.append(ip)
                    shown += 1
            open_counts.append(shown)
            shown = 0
            for at, ip, link in clicks:
                if at < end_s:
                    click_at.append(at)
                    click_ip.append(ip)
                    click_link.append(link)
                    shown += 1
            click_counts.append(shown)
