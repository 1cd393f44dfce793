"""The 15-second service level (docs/adr/0013-service-level-definition.md): the definition case by case,
the live tally's windows, and the live tally against the queue_log recount of the same stories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from callcenter.core.clock import SHANGHAI
from callcenter.core.ids import CallId
from callcenter.queue.events import CallerAnswered, CallerJoined, CallerLeft, FloorResynced
from callcenter.queue.live import QueueSnapshot, WaitingCaller
from callcenter.queue.service_level.alarm import AlarmPolicy, at_risk
from callcenter.queue.service_level.ledger import (
    Outcome,
    QueueEntry,
    ServiceLevelFigures,
    ServiceLevelPolicy,
    figures_of,
)
from callcenter.queue.service_level.queue_log import recount
from callcenter.queue.service_level.tally import ServiceLevelTally
from tests.support.sl_stories import SERVER, Story, told_in_queue_log, told_live

POLICY = ServiceLevelPolicy()
# 2026-12-01 10:59:50 in Shanghai: ten seconds before an hour boundary
T0 = datetime(2026, 12, 1, 10, 59, 50, 250_000, tzinfo=SHANGHAI).astimezone(UTC)


def entry(
    outcome: Outcome, hold: int | None = None, *, queue: str = "hotline", at: datetime = T0
) -> QueueEntry:
    return QueueEntry(SERVER, queue, "1.1", "c1", at.replace(microsecond=0), outcome, hold)


def counts(f: ServiceLevelFigures) -> tuple[int, int, int, int, int, int]:
    return (
        f.offered,
        f.answered,
        f.answered_in_threshold,
        f.abandoned,
        f.short_abandoned,
        f.callback_requested,
    )


# (case, entry, policy, (offered, answered, in 15 s, abandoned, short abandoned, callback))
DEFINITION = [
    ("answered at 15 s is within", entry(Outcome.ANSWERED, 15), POLICY, (1, 1, 1, 0, 0, 0)),
    ("answered at 16 s is not", entry(Outcome.ANSWERED, 16), POLICY, (1, 1, 0, 0, 0, 0)),
    ("answered at once", entry(Outcome.ANSWERED, 0), POLICY, (1, 1, 1, 0, 0, 0)),
    ("abandon after 4 s is short", entry(Outcome.ABANDONED, 4), POLICY, (0, 0, 0, 0, 1, 0)),
    ("abandon after 5 s is offered", entry(Outcome.ABANDONED, 5), POLICY, (1, 0, 0, 1, 0, 0)),
    (
        "short abandons counted when set to 0",
        entry(Outcome.ABANDONED, 0),
        replace(POLICY, short_abandon_seconds=0),
        (1, 0, 0, 1, 0, 0),
    ),
    ("call-me-back key: offered, not answered", entry(Outcome.CALL_ME_BACK, 40), POLICY, (1, 0, 0, 0, 0, 1)),
    ("timeout: offered, not answered", entry(Outcome.EXITED, 60), POLICY, (1, 0, 0, 0, 0, 0)),
    ("still waiting: not counted", entry(Outcome.WAITING), POLICY, (0, 0, 0, 0, 0, 0)),
    (
        "our own call-backs are not inbound",
        entry(Outcome.ANSWERED, 3, queue="hotline-callback"),
        POLICY,
        (0,) * 6,
    ),
    ("threshold 20", entry(Outcome.ANSWERED, 20), replace(POLICY, threshold_seconds=20), (1, 1, 1, 0, 0, 0)),
]


@pytest.mark.parametrize(("case", "item", "policy", "expected"), DEFINITION, ids=[c[0] for c in DEFINITION])
def test_definition(
    case: str, item: QueueEntry, policy: ServiceLevelPolicy, expected: tuple[int, ...]
) -> None:
    assert counts(figures_of([item], policy, T0 + timedelta(hours=1))) == expected


def test_rates_are_over_offered() -> None:
    f = ServiceLevelFigures(offered=20, answered=19, answered_in_threshold=18, abandoned=1, short_abandoned=7)
    assert (f.rate_in_threshold, f.connection_rate, f.abandon_rate) == (0.9, 0.95, 0.05)
    assert ServiceLevelFigures().rate_in_threshold is None


def joined(n: int, at: datetime, queue: str = "hotline") -> CallerJoined:
    return CallerJoined(SERVER, queue, f"e{n}", CallId(f"c{n}"), "13800138000", 1, at)


def left(n: int, at: datetime, queue: str = "hotline") -> CallerLeft:
    return CallerLeft(SERVER, queue, f"e{n}", CallId(f"c{n}"), at)


def answered(n: int, at: datetime, hold: int, queue: str = "hotline") -> CallerAnswered:
    return CallerAnswered(SERVER, queue, f"e{n}", CallId(f"c{n}"), "PJSIP/agent1001", hold, at)


def test_leave_comes_before_connect_and_is_not_decided_at_once() -> None:
    tally = ServiceLevelTally(POLICY)
    tally.apply(joined(1, T0))
    tally.apply(left(1, T0 + timedelta(seconds=8)))
    assert tally.today(T0 + timedelta(seconds=8)).offered == 0  # AgentConnect may still follow
    tally.apply(answered(1, T0 + timedelta(seconds=8), 8))
    assert counts(tally.today(T0 + timedelta(seconds=9))) == (1, 1, 1, 0, 0, 0)


def test_a_leave_without_answer_is_exited_after_the_grace_time() -> None:
    tally = ServiceLevelTally(POLICY)
    tally.apply(joined(1, T0))
    tally.apply(left(1, T0 + timedelta(seconds=60)))
    assert tally.today(T0 + timedelta(seconds=62)).offered == 0
    assert counts(tally.today(T0 + timedelta(seconds=63))) == (1, 0, 0, 0, 0, 0)
    changed = tally.apply(joined(2, T0 + timedelta(seconds=64)))  # any later event settles it for storage
    assert [e.outcome for e in changed] == [Outcome.EXITED, Outcome.WAITING]


def test_overflow_to_another_queue_decides_the_first_entry() -> None:
    tally = ServiceLevelTally(POLICY)
    tally.apply(joined(1, T0))
    tally.apply(left(1, T0 + timedelta(seconds=30)))
    changed = tally.apply(joined(1, T0 + timedelta(seconds=30), queue="hotline-dialect"))
    assert changed[0].outcome is Outcome.EXITED and changed[0].queue == "hotline"


def test_a_late_answer_still_wins_over_exited() -> None:
    tally = ServiceLevelTally(POLICY)
    tally.apply(joined(1, T0))
    tally.apply(left(1, T0 + timedelta(seconds=10)))
    tally.apply(joined(2, T0 + timedelta(seconds=20)))  # settles entry 1 as exited
    tally.apply(answered(1, T0 + timedelta(seconds=21), 10))
    assert counts(tally.today(T0 + timedelta(seconds=30))) == (1, 1, 1, 0, 0, 0)


def test_applying_an_event_twice_changes_nothing() -> None:
    tally = ServiceLevelTally(POLICY)
    for event in (
        joined(1, T0),
        left(1, T0 + timedelta(seconds=5)),
        answered(1, T0 + timedelta(seconds=5), 5),
    ):
        tally.apply(event)
        assert tally.apply(event) == ()
    assert tally.today(T0 + timedelta(minutes=1)).answered == 1


def test_hours_are_shanghai_hours_of_entry() -> None:
    tally = ServiceLevelTally(POLICY)
    tally.apply(joined(1, T0 + timedelta(seconds=9)))  # 10:59:59.25
    tally.apply(joined(2, T0 + timedelta(seconds=10)))  # 11:00:00.25
    for n in (1, 2):
        tally.apply(left(n, T0 + timedelta(seconds=30)))
        tally.apply(answered(n, T0 + timedelta(seconds=30), 20))
    assert {h: f.offered for h, f in tally.by_hour(T0 + timedelta(minutes=5)).items()} == {10: 1, 11: 1}


def ended(tally: ServiceLevelTally, n: int, at: datetime, hold: int = 3) -> None:
    tally.apply(joined(n, at))
    tally.apply(left(n, at + timedelta(seconds=hold)))
    tally.apply(answered(n, at + timedelta(seconds=hold), hold))


def test_today_starts_at_midnight_in_shanghai_and_rolling_is_24_hours() -> None:
    midnight = datetime(2026, 12, 2, 0, 0, tzinfo=SHANGHAI)
    tally = ServiceLevelTally(POLICY)
    ended(tally, 1, midnight - timedelta(seconds=1))
    ended(tally, 2, midnight)
    now = midnight + timedelta(hours=1)
    assert (tally.today(now).offered, tally.rolling_24h(now).offered) == (1, 2)


@pytest.mark.parametrize(("age_s", "inside"), [(86_400, False), (86_399, True), (86_401, False), (0, True)])
def test_rolling_window_edges(age_s: int, inside: bool) -> None:
    now = datetime(2026, 12, 2, 15, 30, 0, tzinfo=UTC)
    tally = ServiceLevelTally(POLICY)
    ended(tally, 1, now - timedelta(seconds=age_s), hold=0)
    assert tally.rolling_24h(now).offered == int(inside)
    assert figures_of(tally.entries(), POLICY, now).offered == 1
    assert tally.by_queue(now, rolling=True).get("hotline", ServiceLevelFigures()).offered == int(inside)


def test_entries_older_than_25_hours_are_forgotten() -> None:
    tally = ServiceLevelTally(POLICY)
    ended(tally, 1, T0)
    ended(tally, 2, T0 + timedelta(hours=26))
    assert [e.entry_id for e in tally.entries()] == ["e2"]


def test_resync_drops_entries_that_ended_unseen_and_keeps_the_waiting() -> None:
    tally = ServiceLevelTally(POLICY)
    tally.apply(joined(1, T0))
    tally.apply(joined(2, T0))
    waiting = WaitingCaller("hotline", CallId("c2"), "13800138000", "PJSIP/pstn-1", 1, 30)
    tally.apply(FloorResynced(SERVER, QueueSnapshot(T0, (), (waiting,)), frozenset({"c2"}), T0))
    assert [e.entry_id for e in tally.entries()] == ["e2"]


def test_load_puts_stored_entries_back() -> None:
    first = ServiceLevelTally(POLICY)
    ended(first, 1, T0)
    ended(first, 2, T0, hold=40)
    second = ServiceLevelTally(POLICY)
    second.load(first.entries())
    now = T0 + timedelta(hours=1)
    assert second.today(now) == first.today(now) and counts(second.today(now)) == (2, 2, 1, 0, 0, 0)


ALARM = AlarmPolicy(target=0.95, margin=0.02, min_offered=20)
OK = ServiceLevelFigures(offered=100, answered=99, answered_in_threshold=98)


@pytest.mark.parametrize(
    ("rolling", "today", "alarm"),
    [
        (OK, OK, False),
        (ServiceLevelFigures(offered=100, answered=96, answered_in_threshold=98), OK, True),  # 96 % < 97 %
        (OK, ServiceLevelFigures(offered=100, answered=100, answered_in_threshold=90), True),
        (OK, ServiceLevelFigures(offered=19, answered=10, answered_in_threshold=5), False),  # too few calls
        (ServiceLevelFigures(), ServiceLevelFigures(), False),
    ],
)
def test_at_risk(rolling: ServiceLevelFigures, today: ServiceLevelFigures, alarm: bool) -> None:
    assert at_risk(rolling, today, ALARM) is alarm


# --- live == recount -------------------------------------------------------------------------------

ENDINGS = ("answered", "abandoned", "callback", "timeout", "empty", "waiting")
QUEUES = ("hotline", "hotline-enterprise", "hotline-dialect", "hotline-callback")
BASE = datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI).astimezone(UTC)  # stories cross Shanghai midnight

stories = st.lists(
    st.builds(
        Story,
        queue=st.sampled_from(QUEUES),
        entered_at=st.integers(0, 4 * 3600 * 1000).map(lambda ms: BASE + timedelta(milliseconds=ms)),
        ending=st.sampled_from(ENDINGS),
        hold=st.integers(0, 40),
        number=st.just(0),
    ),
    max_size=40,
).map(lambda items: [replace(s, number=i) for i, s in enumerate(items)])


def live_and_recount(
    items: list[Story], policy: ServiceLevelPolicy
) -> tuple[ServiceLevelTally, ServiceLevelTally]:
    live = ServiceLevelTally(policy)
    for event in told_live(items):
        live.apply(event)
    recounted = recount(told_in_queue_log(items), server=SERVER)
    assert recounted.bad_lines == 0
    offline = ServiceLevelTally(policy)
    offline.load(recounted.entries)
    return live, offline


@settings(max_examples=150, deadline=None)
@given(stories, st.integers(0, 6), st.integers(0, 30 * 3600))
@example(  # an undecided entry in the first, partial hour of the rolling window was left out live
    [Story("hotline", datetime(2026, 12, 1, 15, 0, 1, tzinfo=UTC), "timeout", 0, 0)], 0, 71880
)
def test_live_figures_equal_the_queue_log_recount(items: list[Story], short: int, later_s: int) -> None:
    policy = replace(POLICY, short_abandon_seconds=short)
    live, offline = live_and_recount(items, policy)
    now = BASE + timedelta(hours=4, minutes=2) + timedelta(seconds=later_s)
    assert live.today(now) == offline.today(now)
    assert live.rolling_24h(now) == offline.rolling_24h(now)
    assert live.by_queue(now) == offline.by_queue(now)
    assert live.by_queue(now, rolling=True) == offline.by_queue(now, rolling=True)
    assert live.by_hour(now) == offline.by_hour(now)
    assert figures_of(live.entries(), policy, now) == figures_of(offline.entries(), policy, now)


def test_bad_queue_log_lines_are_counted_not_fatal() -> None:
    lines = [
        "1764567001|1.1|hotline|NONE|ENTERQUEUE||13800138000|1",
        "not a queue_log line",
        "abc|1.2|hotline|NONE|ENTERQUEUE||1|1",
        "1764567011|1.1|hotline|PJSIP/agent1001|CONNECT|ten|x|1",
        "1764567011|1.1|hotline|PJSIP/agent1001|CONNECT|10|x|1",
        "",
        "1764567011|NONE|NONE|NONE|QUEUESTART||",
    ]
    result = recount(lines, server=SERVER)
    assert (result.lines, result.bad_lines, len(result.entries)) == (7, 3, 1)
    assert result.entries[0].outcome is Outcome.ANSWERED and result.entries[0].hold_seconds == 10
    assert result.bad_samples[0].startswith("line 2:")


def test_only_the_call_me_back_keys_mean_call_me_back() -> None:
    lines = [
        "1764567001|1.1|hotline|NONE|ENTERQUEUE||1|1",
        "1764567021|1.1|hotline|NONE|EXITWITHKEY|9|1|1|20",
    ]
    assert recount(lines, server=SERVER).entries[0].outcome is Outcome.CALL_ME_BACK
    assert (
        recount(lines, server=SERVER, call_me_back_keys=frozenset({"1"})).entries[0].outcome is Outcome.EXITED
    )
