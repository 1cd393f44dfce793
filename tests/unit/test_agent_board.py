"""The agent board: seats folded from floor events, across queues and servers, and rebuilt at resync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.core.ids import CallId
from callcenter.queue.events import (
    CallCompleted,
    CallerAnswered,
    FloorEvent,
    FloorResynced,
    MemberAdded,
    MemberPaused,
    MemberRemoved,
    MemberStatusChanged,
)
from callcenter.queue.live import DeviceStatus, MemberState, QueueSnapshot
from callcenter.queue.seats.agents import AgentActivity, AgentBoard

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SEAT = "PJSIP/agent1001"


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def added(
    queue: str, penalty: int = 0, seconds: int = 0, server: str = "a", interface: str = SEAT
) -> MemberAdded:
    return MemberAdded(
        server, queue, interface, "staff1", penalty, False, "", DeviceStatus.NOT_INUSE, at(seconds)
    )


def paused(queue: str, is_paused: bool, reason: str, seconds: int) -> MemberPaused:
    return MemberPaused("a", queue, SEAT, is_paused, reason, at(seconds))


def status(queue: str, value: DeviceStatus, seconds: int, is_paused: bool = False) -> MemberStatusChanged:
    return MemberStatusChanged("a", queue, SEAT, value, is_paused, "", False, at(seconds))


def fold(*events: FloorEvent) -> AgentBoard:
    board = AgentBoard()
    for event in events:
        board = board.apply(event)
    return board


def only(board: AgentBoard) -> tuple[AgentActivity, str, datetime, tuple[str, ...]]:
    (seat,) = board.seats()
    return seat.activity, seat.pause_reason, seat.since, seat.queues


def test_a_seat_in_two_queues_is_one_seat() -> None:
    board = fold(added("hotline", 1), added("hotline-enterprise", 0, 1))
    assert only(board) == (AgentActivity.IDLE, "", at(0), ("hotline", "hotline-enterprise"))
    assert board.penalties("a", SEAT) == {"hotline": 1, "hotline-enterprise": 0}


def test_paused_only_when_every_queue_is_paused() -> None:
    board = fold(added("hotline"), added("hotline-callback"), paused("hotline", True, "break", 5))
    assert only(board)[0] is AgentActivity.IDLE
    board = board.apply(paused("hotline-callback", True, "break", 6))
    assert only(board)[:3] == (AgentActivity.PAUSED, "break", at(6))


def test_acw_pause_is_wrap_up_and_resume_is_idle() -> None:
    board = fold(added("hotline"), paused("hotline", True, "acw", 3))
    assert only(board)[:2] == (AgentActivity.WRAP_UP, "acw")
    board = board.apply(paused("hotline", False, "", 9))
    assert only(board)[:3] == (AgentActivity.IDLE, "", at(9))


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        (DeviceStatus.RINGING, AgentActivity.RINGING),
        (DeviceStatus.INUSE, AgentActivity.ON_CALL),
        (DeviceStatus.BUSY, AgentActivity.ON_CALL),
        (DeviceStatus.NOT_INUSE, AgentActivity.IDLE),
        (DeviceStatus.UNAVAILABLE, AgentActivity.PAUSED),
    ],
)
def test_device_status_drives_activity(device: DeviceStatus, expected: AgentActivity) -> None:
    assert only(fold(added("hotline"), status("hotline", device, 2)))[0] is expected


def test_a_call_in_progress_beats_a_pause() -> None:
    board = fold(
        added("hotline"), paused("hotline", True, "break", 1), status("hotline", DeviceStatus.INUSE, 2, True)
    )
    assert only(board)[0] is AgentActivity.ON_CALL


def test_answer_and_complete_move_the_seat() -> None:
    answered = CallerAnswered("a", "hotline", "e1", CallId("c1"), SEAT, 3, at(4))
    completed = CallCompleted("a", "hotline", "e1", CallId("c1"), SEAT, 30, 3, "caller", at(34))
    board = fold(added("hotline"), answered)
    assert only(board)[:3] == (AgentActivity.ON_CALL, "", at(4))
    assert only(board.apply(completed))[:3] == (AgentActivity.IDLE, "", at(34))


def test_since_stays_while_the_activity_stays() -> None:
    board = fold(added("hotline"), status("hotline", DeviceStatus.NOT_INUSE, 7))
    assert only(board)[2] == at(0)


def test_removed_from_last_queue_leaves_the_board() -> None:
    board = fold(added("hotline"), added("hotline-callback"))
    board = board.apply(MemberRemoved("a", "hotline", SEAT, at(5)))
    assert only(board)[3] == ("hotline-callback",)
    board = board.apply(MemberRemoved("a", "hotline-callback", SEAT, at(6)))
    assert board.seats() == ()
    assert board.count_by_activity()[AgentActivity.IDLE] == 0


def test_replaying_an_event_changes_nothing() -> None:
    events: list[FloorEvent] = [added("hotline"), paused("hotline", True, "meal", 3)]
    board = fold(*events)
    assert fold(*events, *events).seats() == board.seats()


def test_events_for_unknown_seats_are_ignored() -> None:
    assert fold(paused("hotline", True, "break", 1), status("hotline", DeviceStatus.INUSE, 2)).seats() == ()


def member(
    queue: str, interface: str = SEAT, is_paused: bool = False, reason: str = "", **kw: object
) -> MemberState:
    return MemberState(queue, interface, "staff1", DeviceStatus.NOT_INUSE, is_paused, reason, 0, **kw)  # type: ignore[arg-type]


def resync(server: str, *members: MemberState, seconds: int = 100) -> FloorResynced:
    return FloorResynced(server, QueueSnapshot(at(seconds), tuple(members)), frozenset(), at(seconds))


def test_resync_replaces_that_servers_seats_only() -> None:
    board = fold(
        added("hotline"), added("hotline", server="b"), added("hotline", interface="PJSIP/agent1002")
    )
    board = board.apply(resync("a", member("hotline", penalty=1), member("hotline-dialect")))
    seats = {(s.server, s.interface): s for s in board.seats()}
    assert set(seats) == {("a", SEAT), ("b", SEAT)}
    assert seats[("a", SEAT)].queues == ("hotline", "hotline-dialect")
    assert seats[("a", SEAT)].since == at(0)  # still idle: the timer does not restart
    assert board.penalties("a", SEAT) == {"hotline": 1, "hotline-dialect": 0}


def test_resync_dates_a_pause_it_finds_by_asterisks_last_pause() -> None:
    board = AgentBoard().apply(
        resync("a", member("hotline", is_paused=True, reason="acw", last_pause=at(40)))
    )
    assert only(board)[:3] == (AgentActivity.WRAP_UP, "acw", at(40))


def test_counts_by_activity_name_every_activity() -> None:
    counts = fold(added("hotline"), added("hotline", interface="PJSIP/agent1002")).count_by_activity()
    assert counts[AgentActivity.IDLE] == 2
    assert set(counts) == set(AgentActivity)
