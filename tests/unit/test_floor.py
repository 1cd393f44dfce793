"""The live floor's waiting callers and the wallboard's view: fold table, resync per server, totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.ids import CallId
from callcenter.queue.events import (
    CallerAbandoned,
    CallerAnswered,
    CallerJoined,
    CallerLeft,
    FloorEvent,
    FloorResynced,
    MemberAdded,
)
from callcenter.queue.floor import (
    ROLLING_CONNECTION_AT_RISK,
    TODAY_15S_AT_RISK,
    LiveFloor,
    Rates,
    ViewPolicy,
    WaitingCallers,
    alarm_of,
    wallboard_view,
)
from callcenter.queue.live import DeviceStatus, MemberState, QueueSnapshot, WaitingCaller
from callcenter.queue.seats.agents import AgentActivity
from callcenter.queue.service_level.alarm import AlarmPolicy
from callcenter.queue.service_level.ledger import ServiceLevelFigures

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
POLICY = ViewPolicy()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def joined(call: str, queue: str = "hotline", seconds: float = 0, server: str = "a") -> CallerJoined:
    return CallerJoined(server, queue, f"u-{call}", CallId(call), "13800138000", 1, at(seconds))


def left(call: str, queue: str = "hotline", seconds: float = 5, server: str = "a") -> CallerLeft:
    return CallerLeft(server, queue, f"u-{call}", CallId(call), at(seconds))


def answered(call: str, queue: str = "hotline", seconds: float = 5, server: str = "a") -> CallerAnswered:
    return CallerAnswered(server, queue, f"u-{call}", CallId(call), "PJSIP/agent1001", 5, at(seconds))


def abandoned(call: str, queue: str = "hotline", seconds: float = 5, server: str = "a") -> CallerAbandoned:
    return CallerAbandoned(server, queue, f"u-{call}", CallId(call), "13800138000", 5, 1, at(seconds))


def resynced(server: str, *waiting: tuple[str, str, int], seconds: float = 60) -> FloorResynced:
    callers = tuple(
        WaitingCaller(q, CallId(c), "13800138000", f"PJSIP/pstn-{c}", 1, w) for q, c, w in waiting
    )
    snapshot = QueueSnapshot(taken_at=at(seconds), waiting=callers)
    return FloorResynced(server, snapshot, frozenset(c for _, c, _ in waiting), at(seconds))


def seat(server: str, interface: str, *queues: str) -> list[MemberAdded]:
    return [
        MemberAdded(server, q, interface, interface[-4:], 0, False, "", DeviceStatus.NOT_INUSE, at(0))
        for q in queues
    ]


def fold(*events: FloorEvent) -> LiveFloor:
    floor = LiveFloor()
    for event in events:
        floor = floor.apply(event)
    return floor


def waiting_ids(floor: LiveFloor, server: str | None = None) -> set[tuple[str, str, str]]:
    return {(c.server, c.queue, c.call_id) for c in floor.waiting.callers(server)}


# --- the fold table ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([joined("c1")], {("a", "hotline", "c1")}, id="join adds"),
        pytest.param(
            [joined("c1"), joined("c1", seconds=3)], {("a", "hotline", "c1")}, id="join twice: once"
        ),
        # Asterisk's order for an answered call: QueueCallerLeave, then AgentConnect.
        pytest.param([joined("c1"), left("c1"), answered("c1")], set(), id="left then answered"),
        pytest.param([joined("c1"), abandoned("c1"), left("c1")], set(), id="abandoned then left"),
        pytest.param([joined("c1"), answered("c1")], set(), id="answered alone removes"),
        pytest.param([left("c1")], set(), id="leave of an unknown caller: nothing"),
        pytest.param(
            [joined("c1"), joined("c1", "hotline-enterprise")],
            {("a", "hotline", "c1"), ("a", "hotline-enterprise", "c1")},
            id="same call in two queues",
        ),
        pytest.param(
            [joined("c1"), left("c1", "hotline-enterprise")],
            {("a", "hotline", "c1")},
            id="leave of another queue",
        ),
        pytest.param(
            [joined("c1"), left("c1", server="b")], {("a", "hotline", "c1")}, id="leave on another server"
        ),
        pytest.param(
            [joined("c1"), joined("c2", server="b"), resynced("a", ("hotline", "c3", 10))],
            {("a", "hotline", "c3"), ("b", "hotline", "c2")},
            id="resync replaces its server only",
        ),
    ],
)
def test_waiting_callers_fold(events: list[FloorEvent], expected: set[tuple[str, str, str]]) -> None:
    assert waiting_ids(fold(*events)) == expected


def test_a_repeated_event_changes_nothing() -> None:
    once = fold(joined("c1"), left("c1"), joined("c2"))
    twice = fold(joined("c1"), joined("c1"), left("c1"), left("c1"), joined("c2"), joined("c2"))
    assert once == twice


def test_longest_wait_counts_from_the_join_and_from_the_resync_snapshot() -> None:
    floor = fold(joined("c1", seconds=0), joined("c2", seconds=20))
    view = wallboard_view(floor, Rates(), at(30), POLICY)
    assert (view.total.waiting, view.total.longest_wait_seconds) == (2, 30)
    assert wallboard_view(floor, Rates(), at(95.7), POLICY).total.longest_wait_seconds == 95  # keeps counting
    # QueueStatus said c9 had waited 40 s when the snapshot was taken at 60 s: it joined at 20 s.
    resync = fold(resynced("a", ("hotline", "c9", 40), seconds=60))
    assert wallboard_view(resync, Rates(), at(70), POLICY).total.longest_wait_seconds == 50


def test_source_event_at_is_the_newest_event_folded_in() -> None:
    assert LiveFloor().source_event_at is None
    assert fold(joined("c1", seconds=10), left("c1", seconds=4)).source_event_at == at(10)


def test_nobody_waiting_means_zero_longest_wait() -> None:
    view = wallboard_view(fold(joined("c1"), left("c1")), Rates(), at(100), POLICY)
    assert (view.total.waiting, view.total.longest_wait_seconds) == (0, 0)


# --- the view -------------------------------------------------------------------------------------------


def test_totals_per_queue_and_per_server() -> None:
    floor = fold(
        *seat("a", "PJSIP/agent1001", "hotline", "hotline-callback"),
        *seat("b", "PJSIP/agent2001", "hotline", "hotline-enterprise", "hotline-callback"),
        joined("c1", "hotline", 0, "a"),
        joined("c2", "hotline-enterprise", 10, "b"),
        joined("cb", "hotline-callback", 0, "a"),  # our own callback leg: not an inbound caller
    )
    today = ServiceLevelFigures(offered=10, answered=9, answered_in_threshold=8, abandoned=1)
    rates = Rates(today=today, rolling_24h=today, today_by_queue={"hotline": today})
    view = wallboard_view(floor, rates, at(20), POLICY)

    assert (view.total.waiting, view.total.longest_wait_seconds) == (2, 20)
    assert view.total.agents[AgentActivity.IDLE] == 2
    queues = {q.line.name: q for q in view.queues}
    assert list(queues)[:5] == [
        "hotline",
        "hotline-enterprise",
        "hotline-dialect",
        "hotline-foreign",
        "hotline-callback",
    ]
    assert queues["hotline"].line.agents[AgentActivity.IDLE] == 2
    assert queues["hotline-enterprise"].line.agents[AgentActivity.IDLE] == 1
    assert (
        queues["hotline-enterprise"].line.waiting,
        queues["hotline-enterprise"].line.longest_wait_seconds,
    ) == (1, 10)
    assert queues["hotline-callback"].inbound is False and queues["hotline-callback"].line.waiting == 1
    assert queues["hotline"].today == today and queues["hotline-dialect"].today == ServiceLevelFigures()
    servers = {s.name: s for s in view.servers}
    assert {n: (s.waiting, s.agents[AgentActivity.IDLE]) for n, s in servers.items()} == {
        "a": (1, 1),
        "b": (1, 1),
    }
    assert view.today.rate_in_threshold == pytest.approx(0.8)


def test_the_alarm_says_which_figure_is_at_risk() -> None:
    policy = AlarmPolicy(target=0.95, margin=0.02, min_offered=20)
    good = ServiceLevelFigures(offered=100, answered=99, answered_in_threshold=98)
    slow = ServiceLevelFigures(offered=100, answered=99, answered_in_threshold=90)
    lost = ServiceLevelFigures(offered=100, answered=90, answered_in_threshold=90, abandoned=10)
    few = ServiceLevelFigures(offered=5, answered=1, answered_in_threshold=1)
    assert alarm_of(good, good, policy).on is False
    assert alarm_of(good, slow, policy).reasons == (TODAY_15S_AT_RISK,)
    assert alarm_of(lost, good, policy).reasons == (ROLLING_CONNECTION_AT_RISK,)
    assert alarm_of(lost, lost, policy).reasons == (TODAY_15S_AT_RISK, ROLLING_CONNECTION_AT_RISK)
    assert alarm_of(few, few, policy).on is False  # too few calls to judge


def test_agents_come_from_the_agent_board_and_resync_per_server() -> None:
    member = MemberState("hotline", "PJSIP/agent1001", "1001", DeviceStatus.INUSE, False, "", 0)
    snapshot = QueueSnapshot(taken_at=at(5), members=(member,))
    floor = fold(*seat("b", "PJSIP/agent2001", "hotline"), FloorResynced("a", snapshot, frozenset(), at(5)))
    view = wallboard_view(floor, Rates(), at(6), POLICY)
    assert view.total.agents[AgentActivity.ON_CALL] == 1 and view.total.agents[AgentActivity.IDLE] == 1


# --- properties -----------------------------------------------------------------------------------------

SERVERS = st.sampled_from(["a", "b"])
QUEUES = st.sampled_from(["hotline", "hotline-enterprise"])
CALLS = st.sampled_from([f"c{i}" for i in range(6)])
Kind = Callable[[str, str, float, str], FloorEvent]
KINDS: st.SearchStrategy[Kind] = st.sampled_from([joined, left, answered, abandoned])


@st.composite
def floor_events(draw: st.DrawFn) -> FloorEvent:
    if draw(st.integers(0, 9)) == 0:
        waiting = draw(st.lists(st.tuples(QUEUES, CALLS, st.integers(0, 300)), max_size=4))
        return resynced(draw(SERVERS), *waiting, seconds=draw(st.integers(0, 600)))
    kind = draw(KINDS)
    return kind(draw(CALLS), draw(QUEUES), draw(st.integers(0, 600)), draw(SERVERS))


@given(st.lists(floor_events(), max_size=40))
def test_waiting_is_never_negative_and_servers_add_up(events: list[FloorEvent]) -> None:
    floor = fold(*events)
    view = wallboard_view(floor, Rates(), at(700), POLICY)
    assert view.total.waiting == floor.waiting.count() >= 0
    assert sum(s.waiting for s in view.servers) == view.total.waiting
    assert sum(q.line.waiting for q in view.queues) == view.total.waiting
    assert all(q.line.longest_wait_seconds <= view.total.longest_wait_seconds for q in view.queues)


@given(
    st.lists(floor_events(), max_size=30), st.lists(st.tuples(QUEUES, CALLS, st.integers(0, 300)), max_size=4)
)
def test_a_resync_replaces_only_its_own_server(
    events: list[FloorEvent], waiting: list[tuple[str, str, int]]
) -> None:
    before = fold(*events)
    after = before.apply(resynced("a", *waiting))
    assert waiting_ids(after, "b") == waiting_ids(before, "b")
    assert waiting_ids(after, "a") == {("a", q, c) for q, c, _ in waiting}


@given(st.lists(floor_events(), max_size=30))
def test_two_servers_fold_apart_and_add_up(events: list[FloorEvent]) -> None:
    both = fold(*events).waiting
    alone = {s: fold(*(e for e in events if e.server == s)).waiting for s in ("a", "b")}
    assert both.count() == alone["a"].count() + alone["b"].count()
    assert set(both.callers()) == set(alone["a"].callers()) | set(alone["b"].callers())


def test_an_empty_board() -> None:
    assert WaitingCallers().count() == 0 and WaitingCallers().callers("x") == ()
