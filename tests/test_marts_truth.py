"""The truth of the report marts `email_campaign_link_activity` and `email_recipient_suppressions`
(docs/CONTRACTS.md section 8) on hand-made tiny worlds, one per provider, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bench.marts_truth import link_differences
from sandbox.apsis_one.columns import from_records
from sandbox.apsis_one.model import (
    ABUSE,
    BOUNCED,
    CLICKED,
    SENT,
    UNSUBSCRIBED,
    ApsisEvent,
    Campaign,
    Link,
    Send,
)
from sandbox.apsis_one.truth import apsis_one_truth
from sandbox.apsis_one.world import ApsisWorld
from sandbox.audience import Audience, Recipient, Section
from sandbox.benchmark import model as bme
from sandbox.benchmark.digest import Digest
from sandbox.benchmark.store import BenchmarkWorld
from sandbox.benchmark.truth import benchmark_truth
from sandbox.compare import COUNTS, RATES, TIMES, report_differences
from sandbox.human_truth import ALL, FlagErrors, accept_flag_errors
from sandbox.maxemail import model as mxm
from sandbox.maxemail.truth import maxemail_truth
from sandbox.netcore import model as nc
from sandbox.netcore.stats import message_stats
from sandbox.netcore.truth import netcore_truth
from sandbox.reports.marts import Click, ListedLink, Suppression, link_activity, suppressions
from sandbox.reports.periods import rate
from sandbox.timeutil import to_ms

T0 = datetime(2026, 3, 1, tzinfo=UTC)
T0_MS = to_ms(T0)
T0_S = T0_MS // 1000
HOUR_S = 3600
HOUR_MS = 3_600_000
SECTION = Section("sec-1", "Main")
ANNA = Recipient(1, "Anna@Example.com", SECTION, {}, frozenset())
BO = Recipient(2, "bo@example.com", SECTION, {}, frozenset())
CY = Recipient(3, "cy@example.com", SECTION, {}, frozenset())


def sup(recipient: str, reason: str, since: str, campaign_id: str | None) -> dict[str, Any]:
    return {
        "recipient": recipient,
        "reason": reason,
        "suppressed_since": since,
        "campaign_id": campaign_id,
    }


def link(
    campaign_id: str,
    url: str,
    unique: int,
    total: int,
    link_id: str | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "link_id": link_id,
        "link_url": url,
        "link_title": title,
        "unique_click_count": unique,
        "total_click_count": total,
    }


def people_link(*args: Any, maxemail: bool = False, **kwargs: Any) -> dict[str, Any]:
    """A provider truth's link row of a hand-made world, where every click is a human's: the
    human columns (issue 16) equal the totals (Maxemail has no human total)."""
    row = link(*args, **kwargs)
    human_total = None if maxemail else row["total_click_count"]
    row |= {
        "human_unique_click_count": row["unique_click_count"],
        "human_total_click_count": human_total,
    }
    return row


# -- the shared reducers --------------------------------------------------------------------------


def test_link_activity_counts_distinct_recipients_and_sums_clicks() -> None:
    rows = link_activity(
        [
            Click("c2", "https://b", "x"),
            Click("c1", "https://a", "x"),
            Click("c1", "https://a", "x"),
            Click("c1", "https://a", "y", 4),
            Click("c1", "https://b", "y"),
        ]
    )
    assert rows == [
        link("c1", "https://a", 2, 6),
        link("c1", "https://b", 1, 1),
        link("c2", "https://b", 1, 1),
    ]
    assert link_activity([]) == []


def test_link_activity_counts_the_clicks_of_no_machine_as_human() -> None:
    rows = link_activity(
        [
            Click("c1", "https://a", "x", machine=True),  # a scanner in front of x
            Click("c1", "https://a", "x"),  # and x itself
            Click("c1", "https://a", "y", 2, machine=True),
            Click("c1", "https://b", "y", machine=True),
        ],
        human=True,
    )
    human = ("human_unique_click_count", "human_total_click_count")
    assert [(r["link_url"], r["unique_click_count"], *(r[k] for k in human)) for r in rows] == [
        ("https://a", 2, 1, 1),
        ("https://b", 1, 0, 0),
    ]


def test_link_activity_keys_on_link_ids_and_lists_unclicked_links() -> None:
    rows = link_activity(
        [
            # one URL under two link ids: two links
            Click("c1", "https://a", "x", link_id="L1", link_title="Top", at="2026-01-01T10"),
            Click("c1", "https://a", "y", link_id="L2", link_title="Foot", at="2026-01-01T11"),
            Click("c1", "https://a", "y", link_id="L1", at="2026-01-01T12"),  # no title
            # L3 moved to another URL: the latest click's URL, the latest title
            Click("c1", "https://old", "x", link_id="L3", link_title="Old", at="2026-01-01T09"),
            Click("c1", "https://new", "x", link_id="L3", link_title="New", at="2026-01-01T13"),
            # a click without a link id stays at the URL grain, apart from L1 and L2
            Click("c1", "https://a", "z"),
        ],
        [
            ListedLink("c1", "L4", "https://never"),  # listed, nobody clicked it
            ListedLink("c1", "L2", "https://a-listed"),  # the listing's URL wins
            ListedLink("c2", "L5", "https://b"),
        ],
    )
    assert rows == [
        link("c1", "https://a", 1, 1),
        link("c1", "https://a", 2, 2, "L1", "Top"),
        link("c1", "https://a-listed", 1, 1, "L2", "Foot"),
        link("c1", "https://new", 1, 2, "L3", "New"),
        link("c1", "https://never", 0, 0, "L4"),
        link("c2", "https://b", 0, 0, "L5"),
    ]


def test_suppressions_first_event_nth_soft_bounce_and_ties_by_campaign() -> None:
    events = [
        Suppression("x", "unsubscribed", "2026-01-03T00:00:00", "c3"),
        Suppression("x", "unsubscribed", "2026-01-02T00:00:00", "c2"),
        Suppression("x", "soft_bounce", "2026-01-05T00:00:00", "c5"),
        Suppression("x", "soft_bounce", "2026-01-01T00:00:00", "c1"),
        Suppression("x", "soft_bounce", "2026-01-04T00:00:00", "c4"),
        Suppression("x", "soft_bounce", "2026-01-09T00:00:00", "c9"),
        Suppression("y", "soft_bounce", "2026-01-01T00:00:00", "c1"),
        Suppression("y", "soft_bounce", "2026-01-02T00:00:00", "c2"),
        Suppression("y", "hard_bounce", "2026-01-07T00:00:00", "c8"),
        Suppression("y", "hard_bounce", "2026-01-07T00:00:00", "c7"),
        Suppression("z", "complained", "2026-01-01T00:00:00", None),
    ]
    assert suppressions(events) == [
        sup("x", "repeated_soft_bounce", "2026-01-05T00:00:00", "c5"),  # the 3rd, not the 4th
        sup("x", "unsubscribed", "2026-01-02T00:00:00", "c2"),
        sup("y", "hard_bounce", "2026-01-07T00:00:00", "c7"),  # a tie: the lower campaign id
        sup("z", "complained", "2026-01-01T00:00:00", None),
    ]  # y has two soft bounces only: no repeated_soft_bounce
    at_two = suppressions(events, soft_threshold=2)
    assert sup("y", "repeated_soft_bounce", "2026-01-02T00:00:00", "c2") in at_two
    assert sup("x", "repeated_soft_bounce", "2026-01-04T00:00:00", "c4") in at_two


# -- APSIS One --------------------------------------------------------------------------------------


def test_apsis_one_truth_by_code_effective_time_and_visibility() -> None:
    hero, blog = Link("l1", "https://ex.com/hero", "Hero"), Link("l2", "https://ex.com/blog", "B")
    a = Campaign("100", SECTION, "A", "s", "n@ex.com", T0, (hero, blog))
    b = Campaign("200", SECTION, "B", "s", "n@ex.com", T0, (hero,))
    seq = iter(range(1000))

    def ev(campaign: Campaign, who: Recipient, kind: str, at_ms: int, **kw: Any) -> ApsisEvent:
        send = Send(campaign.id, campaign.name, "", campaign.subject)
        event_ms = kw.pop("event_ms", at_ms)
        available = kw.pop("available_ms", at_ms + 1000)
        return ApsisEvent(
            next(seq), 0, campaign, send, who, kind, at_ms, at_ms + 500, event_ms, available, **kw
        )

    now_ms = T0_MS + 100 * HOUR_MS
    events = [
        ev(a, ANNA, SENT, T0_MS),
        ev(a, ANNA, CLICKED, T0_MS + HOUR_MS, link=hero),
        ev(a, ANNA, CLICKED, T0_MS + 2 * HOUR_MS, link=hero),
        ev(a, BO, CLICKED, T0_MS + HOUR_MS, link=hero),
        ev(a, BO, CLICKED, T0_MS + HOUR_MS, link=blog),
        ev(b, BO, CLICKED, T0_MS + HOUR_MS, link=hero, available_ms=now_ms),  # not yet visible
        # Anna: informational 5001 is no bounce; block 1001 and unknown 9999 count as soft
        ev(a, ANNA, BOUNCED, T0_MS + 3 * HOUR_MS, bounce_code="5001"),
        ev(a, ANNA, BOUNCED, T0_MS + 4 * HOUR_MS, bounce_code="3001"),
        ev(b, ANNA, BOUNCED, T0_MS + 5 * HOUR_MS, bounce_code="1001"),
        ev(b, ANNA, BOUNCED, T0_MS + 6 * HOUR_MS + 7, bounce_code="9999"),
        # Bo: hard bounce (2xxx); its event_time is 0, so its time is the server time
        ev(b, BO, BOUNCED, T0_MS + 7 * HOUR_MS, bounce_code="2001", event_ms=0),
        ev(a, CY, UNSUBSCRIBED, T0_MS + 8 * HOUR_MS, unsubscribe_topic="com.apsis1.topics.offers"),
        ev(b, CY, UNSUBSCRIBED, T0_MS + 9 * HOUR_MS, unsubscribe_topic="com.apsis1.topics.offers"),
        ev(b, CY, ABUSE, T0_MS + 10 * HOUR_MS, abuse_section="sec-1"),
    ]
    people = (ANNA, BO, CY)
    world = ApsisWorld(
        Audience((SECTION,), (), (), people), (a, b), from_records(events, (a, b), people)
    )
    truth = apsis_one_truth(world, now_ms)
    assert truth["link_activity"] == [  # by link id: l1 (hero) before l2 (blog)
        people_link("100", "https://ex.com/hero", 2, 3, "l1", "Hero"),
        people_link("100", "https://ex.com/blog", 1, 1, "l2", "B"),
    ]
    assert truth["suppressions"] == [
        sup("anna@example.com", "repeated_soft_bounce", "2026-03-01T06:00:00.007", "200"),
        sup("bo@example.com", "hard_bounce", "2026-03-01T07:00:00.500", "200"),
        sup("cy@example.com", "complained", "2026-03-01T10:00:00.000", "200"),
        sup("cy@example.com", "unsubscribed", "2026-03-01T08:00:00.000", "100"),
    ]
    assert "campaign_report" in truth  # the report keys are still there


# -- Maxemail ---------------------------------------------------------------------------------------


def test_maxemail_truth_click_counts_bounce_fallback_and_feedback_complaints() -> None:
    urls = ("https://shop.example.com/m1, sale", "https://www.example.com/m1")

    def message(email_id: int) -> mxm.MaxemailMessage:
        return mxm.MaxemailMessage(
            email_id, "campaign", "300", "M", "S", "n@ex.com", "N", True, T0_S, T0_S, urls, ()
        )

    m1, m2, m3 = message(501), message(502), message(503)
    now_ms = T0_MS + 200 * HOUR_MS

    def ev(
        msg: mxm.MaxemailMessage, who: Recipient, kind: str, at_s: int, **kw: str
    ) -> mxm.MaxemailEvent:
        available = int(kw.pop("available_ms", str(at_s * 1000 + 1)))
        return mxm.MaxemailEvent(msg, who, who.address, kind, at_s, available, **kw)

    events = [
        ev(m1, ANNA, mxm.SENT, T0_S),
        ev(m1, ANNA, mxm.CLICK, T0_S + 60, url=urls[0]),
        ev(m1, ANNA, mxm.CLICK, T0_S + 120, url=urls[0]),
        ev(m1, ANNA, mxm.CLICK, T0_S + 180, url=urls[0]),
        ev(m1, ANNA, mxm.CLICK, T0_S + 240, url=urls[1]),
        ev(m1, BO, mxm.CLICK, T0_S + 60, url=urls[0]),
        ev(m1, BO, mxm.CLICK, T0_S + 90, url=urls[0], available_ms=str(now_ms)),  # not yet
        # Anna: 0000 + temporary → soft, 5.7.1 → block (soft), 4.2.2 → soft: the 3rd
        ev(m1, ANNA, mxm.BOUNCE, T0_S + HOUR_S, bounce_type="temporary", bounce_reason="0000 x "),
        ev(
            m2,
            ANNA,
            mxm.BOUNCE,
            T0_S + 2 * HOUR_S,
            bounce_type="permanent",
            bounce_reason="5.7.1 b",
        ),
        ev(
            m3,
            ANNA,
            mxm.BOUNCE,
            T0_S + 3 * HOUR_S,
            bounce_type="temporary",
            bounce_reason="4.2.2 f",
        ),
        # Bo: 0000 + permanent → hard (the code is unknown: the type decides)
        ev(m2, BO, mxm.BOUNCE, T0_S + 4 * HOUR_S, bounce_type="permanent", bounce_reason="0000 x "),
        ev(m1, CY, mxm.UNSUBSCRIBE, T0_S + 5 * HOUR_S, unsubscribe_type="feedback"),
        ev(m2, CY, mxm.UNSUBSCRIBE, T0_S + 6 * HOUR_S, unsubscribe_type="local"),
    ]
    world = mxm.MaxemailWorld.from_events((m1, m2, m3), events)
    truth = maxemail_truth(world, now_ms, ZoneInfo("Europe/London"))
    assert truth["link_activity"] == [
        people_link(
            "501", urls[0], 2, 4, maxemail=True
        ),  # Anna's row count 3 + Bo's 1 (his 2nd click not visible)
        people_link("501", urls[1], 1, 1, maxemail=True),
    ]
    assert truth["suppressions"] == [
        sup("anna@example.com", "repeated_soft_bounce", "2026-03-01T03:00:00", "503"),
        sup("bo@example.com", "hard_bounce", "2026-03-01T04:00:00", "502"),
        sup("cy@example.com", "complained", "2026-03-01T05:00:00", "501"),
        sup("cy@example.com", "unsubscribed", "2026-03-01T06:00:00", "502"),
    ]


def test_maxemail_suppression_times_are_the_local_file_times_read_back_as_utc() -> None:
    summer_s = to_ms(datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)) // 1000
    msg = mxm.MaxemailMessage(
        9, "campaign", "1", "M", "S", "n@ex.com", "N", True, summer_s, summer_s, (), ()
    )
    event = mxm.MaxemailEvent(
        msg, BO, BO.address, mxm.UNSUBSCRIBE, summer_s, 0, unsubscribe_type="global"
    )
    truth = maxemail_truth(
        mxm.MaxemailWorld.from_events((msg,), [event]),
        summer_s * 1000 + 1,
        ZoneInfo("Europe/London"),
    )
    assert truth["suppressions"] == [
        sup("bo@example.com", "unsubscribed", "2026-07-01T12:00:00", "9")
    ]


# -- Netcore ----------------------------------------------------------------------------------------


def test_netcore_truth_nested_clicks_and_statuses() -> None:
    links = ("https://shop.example.in/a", "https://blog.example.in/b")

    def campaign(n: int) -> nc.NetcoreCampaign:
        return nc.NetcoreCampaign(f"nc-{n}", f"C{n}", "S", "o@ex.in", T0_S, 1000, links)

    c1, c2, c3 = campaign(1), campaign(2), campaign(3)
    trids = iter(range(10**16, 10**16 + 100))

    def msg(
        c: nc.NetcoreCampaign, who: Recipient, outcome: str, at_s: int, **kw: Any
    ) -> nc.NetcoreMessage:
        return nc.NetcoreMessage(
            next(trids), c, who, who.address, T0_S, 1000, outcome, at_s, T0_S + 1, "", **kw
        )

    now_ms = T0_MS + 50 * HOUR_MS
    messages = [
        msg(
            c1,
            ANNA,
            nc.DELIVERED,
            T0_S + 10,
            clicks=((T0_S + 60, "1.2.3.4", links[0]), (T0_S + 70, "1.2.3.4", links[0])),
            final=nc.UNSUBSCRIBE,
            final_s=T0_S + 2 * HOUR_S,
        ),
        msg(
            c1,
            BO,
            nc.DELIVERED,
            T0_S + 10,
            clicks=((T0_S + 60, "1.2.3.4", links[1]), (T0_S + 100 * HOUR_S, "1.2.3.4", links[0])),
            final=nc.SPAM,
            final_s=T0_S + 100 * HOUR_S,  # after the clock: no complaint yet
        ),
        msg(c1, CY, nc.SOFTBOUNCE, T0_S + HOUR_S),
        msg(c2, CY, nc.SOFTBOUNCE, T0_S + 2 * HOUR_S),
        msg(c3, CY, nc.SOFTBOUNCE, T0_S + 3 * HOUR_S),
        msg(c2, BO, nc.HARDBOUNCE, T0_S + 4 * HOUR_S),
    ]
    world = nc.NetcoreWorld((c1, c2, c3), messages)
    truth = netcore_truth(world, now_ms, ZoneInfo("Asia/Kolkata"))
    assert truth["link_activity"] == [  # sorted by URL: blog before shop
        people_link("nc-1", links[1], 1, 1),
        people_link("nc-1", links[0], 1, 2),  # Bo's click on it is after the clock
    ]
    assert truth["suppressions"] == [
        sup("anna@example.com", "unsubscribed", "2026-03-01T02:00:00", "nc-1"),
        sup("bo@example.com", "hard_bounce", "2026-03-01T04:00:00", "nc-2"),
        sup("cy@example.com", "repeated_soft_bounce", "2026-03-01T03:00:00", "nc-3"),
    ]


def test_netcore_plain_bounces_are_classed_by_their_remarks() -> None:
    """A plain `bounce` takes the class of the SMTP code in its remarks everywhere: the report's
    hard/soft counts, the suppressions and the simulator's daily stats (by_class and the
    bounce_only ASSUMPTION)."""
    c1, c2, c3 = (
        nc.NetcoreCampaign(f"nc-{n}", f"C{n}", "S", "o@ex.in", T0_S, 1000, ()) for n in (1, 2, 3)
    )
    trids = iter(range(10**16, 10**16 + 100))

    def bounce(
        c: nc.NetcoreCampaign, who: Recipient, status: str, hours: int, remarks: str
    ) -> nc.NetcoreMessage:
        at_s = T0_S + hours * HOUR_S
        return nc.NetcoreMessage(
            next(trids), c, who, who.address, T0_S, 1000, status, at_s, T0_S + 1, remarks
        )

    messages = [
        bounce(c1, ANNA, nc.BOUNCE, 1, "550 5.1.1 user unknown"),  # hard
        bounce(c1, BO, nc.HARDBOUNCE, 1, "554 5.7.1 message rejected due to policy"),  # hard
        bounce(c1, CY, nc.BOUNCE, 1, "452 4.2.2 mailbox full"),  # soft
        bounce(c2, CY, nc.BOUNCE, 2, "554 5.7.1 message rejected due to policy"),  # block
        bounce(c3, CY, nc.BOUNCE, 3, "Unknown Reason"),  # unknown: the third soft-class bounce
        bounce(c3, BO, nc.SOFTBOUNCE, 3, "452 4.2.2 mailbox full"),  # soft
    ]
    world = nc.NetcoreWorld((c1, c2, c3), messages)
    now_ms = T0_MS + 50 * HOUR_MS
    truth = netcore_truth(world, now_ms, ZoneInfo("Asia/Kolkata"))
    counts = {
        r["campaign_id"]: (r["hard_bounce_count"], r["soft_bounce_count"], r["bounce_count"])
        for r in truth["campaign_report"]
    }
    assert counts == {"nc-1": (2, 1, 3), "nc-2": (0, 1, 1), "nc-3": (0, 2, 2)}
    bounced = {
        (c["campaign_id"], c["count"])
        for c in truth["event_counts"]
        if c["event_type"] == "bounced"
    }
    assert bounced == {("nc-1", 3), ("nc-2", 1), ("nc-3", 2)}
    assert truth["suppressions"] == [
        sup("anna@example.com", "hard_bounce", "2026-03-01T01:00:00", "nc-1"),
        sup("bo@example.com", "hard_bounce", "2026-03-01T01:00:00", "nc-1"),
        sup("cy@example.com", "repeated_soft_bounce", "2026-03-01T03:00:00", "nc-3"),
    ]
    states = [s for m in messages if (s := nc.state_at(m, now_ms)) is not None]
    by_class = message_stats(states)
    assert (by_class["hardbounce"], by_class["softbounce"], by_class["bounce"]) == (2, 4, 6)
    bounce_only = message_stats(states, "bounce_only")
    assert (bounce_only["hardbounce"], bounce_only["softbounce"], bounce_only["bounce"]) == (
        1,
        1,
        6,
    )


# -- Benchmark Email --------------------------------------------------------------------------------


def test_benchmark_truth_provider_bounce_type_and_contact_addresses() -> None:
    hero, story = (
        bme.BmeLink("l" * 24, "https://shop.example.com/x"),
        bme.BmeLink("k" * 24, "https://x/s"),
    )

    def campaign(cid: str) -> bme.BmeCampaign:
        return bme.BmeCampaign(
            cid, "historical", "C", "S", "P", T0_MS, T0_MS, T0_MS, 3, (hero, story)
        )

    c1, c2, c3 = campaign("a" * 24), campaign("b" * 24), campaign("c" * 24)
    contacts = {
        r.index: bme.BmeContact(f"{r.index:024x}", r, T0_MS - HOUR_MS, True) for r in (ANNA, BO, CY)
    }
    now_ms = T0_MS + 50 * HOUR_MS
    raw: list[
        tuple[str, int, Recipient, bme.BmeCampaign | None, bme.BmeLink | None, dict[str, Any]]
    ] = [
        (bme.SENT, T0_MS, ANNA, c1, None, {}),
        (bme.CLICKED, T0_MS + 1000, ANNA, c1, hero, {}),
        (bme.CLICKED, T0_MS + 2000, ANNA, c1, hero, {}),
        (bme.CLICKED, T0_MS + 3000, BO, c1, story, {}),
        (bme.CLICKED, T0_MS + 4000, BO, c2, hero, {"late": True}),
        # Anna: a hard type with a soft-looking code is hard (provider first)
        (
            bme.BOUNCED,
            T0_MS + HOUR_MS + 5,
            ANNA,
            c2,
            None,
            {"emailBounceType": "hard", "emailBounceDiagCode": "4.2.2"},
        ),
        (bme.BOUNCED, T0_MS + HOUR_MS, CY, c1, None, {"emailBounceType": "soft"}),
        (
            bme.BOUNCED,
            T0_MS + 2 * HOUR_MS,
            CY,
            c2,
            None,
            {"emailBounceType": "soft", "emailBounceDiagCode": "5.1.1"},
        ),
        (bme.BOUNCED, T0_MS + 3 * HOUR_MS, CY, c2, None, {"emailBounceType": "soft"}),
        (bme.BOUNCED, T0_MS + 4 * HOUR_MS, CY, c3, None, {"emailBounceType": "soft"}),
        (bme.COMPLAINT, T0_MS + 5 * HOUR_MS, BO, c1, None, {}),
        (bme.UNSUBSCRIBED, T0_MS + 6 * HOUR_MS, BO, c3, None, {}),
    ]
    events = []
    for seq, (kind, at, who, c, lnk, extra) in enumerate(raw):
        available = now_ms if extra.pop("late", False) else at + 1
        events.append(
            bme.BmeEvent(
                seq, kind, at, available, contacts[who.index], c, lnk, tuple(extra.items())
            )
        )
    # a draft and a campaign scheduled after the clock: no report, so no listed links
    draft = bme.BmeCampaign("d" * 24, bme.DRAFT, "D", "S", "P", T0_MS, T0_MS, None, 3, (hero,))
    later = bme.BmeCampaign(
        "e" * 24, bme.LATER, "L", "S", "P", T0_MS, T0_MS, now_ms + 1, 3, (hero,)
    )
    world = BenchmarkWorld.from_events(tuple(contacts.values()), (c1, c2, c3, draft, later), events)
    truth = benchmark_truth(Digest(world, now_ms))
    # every link of the three sent campaigns is listed (`linkActivity`): unclicked ones at zero,
    # not those of the draft and the scheduled one;
    # c2's hero too (its only click is not visible yet); by link id: k (story) before l (hero)
    assert truth["link_activity"] == [
        people_link(c1.id, "https://x/s", 1, 1, story.id),
        people_link(c1.id, "https://shop.example.com/x", 1, 2, hero.id),
        people_link(c2.id, "https://x/s", 0, 0, story.id),
        people_link(c2.id, "https://shop.example.com/x", 0, 0, hero.id),
        people_link(c3.id, "https://x/s", 0, 0, story.id),
        people_link(c3.id, "https://shop.example.com/x", 0, 0, hero.id),
    ]
    assert truth["suppressions"] == [
        sup("anna@example.com", "hard_bounce", "2026-03-01T01:00:00.005", c2.id),
        sup("bo@example.com", "complained", "2026-03-01T05:00:00.000", c1.id),
        sup("bo@example.com", "unsubscribed", "2026-03-01T06:00:00.000", c3.id),
        sup("cy@example.com", "repeated_soft_bounce", "2026-03-01T03:00:00.000", c2.id),
    ]


# -- the human columns against the truth (issue 16) -----------------------------------------------


def campaign_row(opens: int, last_open: str, clicks: int = 1) -> dict[str, Any]:
    """A campaign report row: 10 sent and delivered, no other total, and the human columns."""
    row: dict[str, Any] = dict.fromkeys((*COUNTS, *RATES, *TIMES), 0) | dict.fromkeys(TIMES)
    row |= {"campaign_id": "c1", "delivered_count": 10, "sent_count": 10}
    return row | {
        "human_unique_open_count": opens,
        "human_open_rate": rate(opens, 10),
        "last_human_opened_at": last_open,
        "human_unique_click_count": clicks,
        "human_click_rate": rate(clicks, 10),
        "last_human_clicked_at": "2026-03-01T10:00:00",
    }


def misjudged(*kinds: tuple[str, str, int] | tuple[str, str, int, int]) -> FlagErrors:
    """FlagErrors of (campaign, kind, pairs[, their events: as many as pairs by default])."""
    errors = FlagErrors()
    for campaign, kind, n, *events in kinds:
        for scope in (campaign, ALL):
            errors.misjudged[(scope, kind)] += n
            errors.misjudged_events[(scope, kind)] += events[0] if events else n
    return errors


def test_human_columns_differ_only_by_the_misjudged_pairs() -> None:
    truth = [campaign_row(5, "2026-03-01T09:00:00")]
    # the mart missed 2 human opens (flagged a machine's), one of them the latest
    mart = [campaign_row(3, "2026-03-01T08:00:00")]
    assert report_differences(mart, truth, errors=misjudged(("c1", "opened", 2))) == []
    # one misjudged pair does not explain 2 opens fewer; nor pairs of another campaign or kind
    for errors in (
        misjudged(("c1", "opened", 1)),
        misjudged(("c2", "opened", 2)),
        misjudged(("c1", "clicked", 2)),
    ):
        problems = report_differences(mart, truth, errors=errors)
        assert any("human_unique_open_count: mart 3 != truth 5" in p for p in problems)
        assert any("human_open_rate: mart 30.0 != truth 50.0" in p for p in problems)
    # without misjudged pairs nothing may differ, not even the latest human open's time
    late = [campaign_row(5, "2026-03-01T08:00:00")]
    (problem,) = report_differences(late, truth, errors=FlagErrors())
    assert "last_human_opened_at" in problem
    assert report_differences(late, truth, errors=misjudged(("c1", "opened", 1))) == []
    # without errors the human columns are not compared, but a rate must be its count's
    assert report_differences(mart, truth) == []
    (wrong,) = report_differences([mart[0] | {"human_open_rate": 50.0}], truth)
    assert "human_open_rate: mart 50.0 is not human_unique_open_count on delivered" in wrong


def test_link_human_clicks_differ_only_by_the_misjudged_click_pairs() -> None:
    def row(unique: int, total: int | None) -> dict[str, Any]:
        return link("c1", "https://a", 4, 6) | {
            "human_unique_click_count": unique,
            "human_total_click_count": total,
        }

    truth, mart = [row(3, 5)], [row(2, 4)]
    assert link_differences("links", mart, truth, misjudged(("c1", "clicked", 1))) == []
    problems = link_differences("links", mart, truth, misjudged(("c1", "opened", 1)))
    assert [p.split(" ", 4)[-1] for p in problems] == [
        "human_unique_click_count: mart 2 != truth 3",
        "human_total_click_count: mart 4 != truth 5",
    ]
    assert len(link_differences("links", [row(1, 4)], truth, misjudged(("c1", "clicked", 1)))) == 2
    # one misjudged pair with two clicks explains two human clicks fewer, not three
    two = misjudged(("c1", "clicked", 1, 2))
    assert link_differences("links", [row(2, 3)], truth, two) == []
    assert len(link_differences("links", [row(2, 2)], truth, two)) == 2
    assert len(link_differences("links", [row(2, 3)], truth, misjudged(("c1", "clicked", 1)))) == 2
    # Maxemail: no human total on either side, exactly (misjudged pairs or not)
    assert link_differences("links", [row(3, None)], [row(3, None)], FlagErrors()) == []
    one = misjudged(("c1", "clicked", 1))
    assert link_differences("links", [row(2, None)], [row(3, None)], one) == []
    assert len(link_differences("links", [row(2, None)], [row(3, None)], FlagErrors())) == 1
    (null,) = link_differences(
        "links", [row(3, 5)], [row(3, None)], misjudged(("c1", "clicked", 1))
    )
    assert "human_total_click_count: mart 5 != truth None" in null
    # a mart row without the truth's human column differs
    bare = [link("c1", "https://a", 4, 6)]
    assert len(link_differences("links", bare, truth, FlagErrors())) == 2


def test_accept_flag_errors_counts_the_rows_and_kinds_it_took() -> None:
    truth = [{"past_days": 1, "human_unique_open_count": 4, "human_open_rate": 40.0}]
    mart = [{"past_days": 1, "human_unique_open_count": 3, "human_open_rate": 30.0}]
    want, taken = accept_flag_errors(mart, truth, ("past_days",), misjudged(("c9", "opened", 1)))
    assert (want, taken) == (mart, 1)  # a row without campaign_id: the provider's scope
    assert accept_flag_errors(mart, truth, ("past_days",), FlagErrors()) == (truth, 0)
