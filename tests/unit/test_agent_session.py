"""Agent-session rules: skills to memberships, the transition table, input parsing, after-call work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.core.actors import StaffId
from callcenter.core.errors import InvalidInput
from callcenter.queue.seats.agent_session import (
    AgentSession,
    AlreadyLoggedIn,
    BusyOnCall,
    LogIn,
    LogOut,
    Membership,
    NotLoggedIn,
    PauseReason,
    SeatTaken,
    Skill,
    check_log_out,
    ends_wrap_up,
    log_in,
    memberships,
    parse_reason,
    parse_skills,
    require_session,
    seat_interface,
    skills_of,
    stale_queues,
    starts_wrap_up,
    wrap_up_due,
)
from callcenter.queue.seats.agents import AgentActivity, SeatState

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SEAT = "PJSIP/agent1001"
ALICE, BOB = StaffId("alice"), StaffId("bob")


def seat(activity: AgentActivity, since: datetime = T0, queues: tuple[str, ...] = ("hotline",)) -> SeatState:
    reason = (
        "acw" if activity is AgentActivity.WRAP_UP else ("break" if activity is AgentActivity.PAUSED else "")
    )
    return SeatState("a", SEAT, "alice", queues, activity, reason, since)


@pytest.mark.parametrize(
    ("skills", "expected"),
    [
        ((), [("hotline", 0), ("hotline-callback", 0)]),
        ((Skill.ENTERPRISE,), [("hotline", 1), ("hotline-enterprise", 0), ("hotline-callback", 0)]),
        (
            (Skill.FOREIGN, Skill.DIALECT),
            [("hotline", 1), ("hotline-dialect", 0), ("hotline-foreign", 0), ("hotline-callback", 0)],
        ),
    ],
)
def test_skills_become_memberships_with_penalties(
    skills: tuple[Skill, ...], expected: list[tuple[str, int]]
) -> None:
    assert memberships(skills) == tuple(Membership(q, p) for q, p in expected)


def test_skills_read_back_from_queues() -> None:
    queues = ("hotline", "hotline-callback", "hotline-dialect", "hotline-enterprise")
    assert skills_of(queues) == (Skill.DIALECT, Skill.ENTERPRISE)


def session(staff: StaffId = ALICE, seat_: str = SEAT) -> AgentSession:
    return AgentSession(staff, "a", seat_, (), T0)


# (current session, seat holder, expected) for alice logging in on SEAT
LOGIN_TABLE = [
    (None, None, "ok"),
    (None, ALICE, "ok"),  # her own claim (a login retried)
    (None, BOB, SeatTaken),
    (session(), ALICE, "ok"),  # again on her seat: skills change
    (session(seat_="PJSIP/agent1002"), None, AlreadyLoggedIn),
    (session(seat_="PJSIP/agent1002"), BOB, SeatTaken),
]


@pytest.mark.parametrize(("current", "holder", "expected"), LOGIN_TABLE)
def test_login_table(current: AgentSession | None, holder: StaffId | None, expected: object) -> None:
    cmd = LogIn(ALICE, "a", SEAT, (Skill.DIALECT,))
    later = T0 + timedelta(hours=1)
    if expected == "ok":
        opened = log_in(cmd, current, holder, later)
        assert (opened.seat, opened.skills) == (SEAT, (Skill.DIALECT,))
        assert opened.since == (current.since if current else later)
    else:
        with pytest.raises(expected):  # type: ignore[call-overload]
            log_in(cmd, current, holder, later)


def test_commands_need_a_session() -> None:
    with pytest.raises(NotLoggedIn) as err:
        require_session(None, ALICE)
    assert err.value.code == "not_logged_in"
    assert require_session(session(), ALICE) == session()


@pytest.mark.parametrize(
    ("activity", "forced", "allowed"),
    [
        (AgentActivity.IDLE, False, True),
        (AgentActivity.PAUSED, False, True),
        (AgentActivity.WRAP_UP, False, True),
        (AgentActivity.ON_CALL, False, False),
        (AgentActivity.RINGING, False, False),
        (AgentActivity.ON_CALL, True, True),
    ],
)
def test_logout_table(activity: AgentActivity, forced: bool, allowed: bool) -> None:
    cmd = LogOut(ALICE, forced=forced)
    if allowed:
        check_log_out(cmd, seat(activity))
    else:
        with pytest.raises(BusyOnCall):
            check_log_out(cmd, seat(activity))


def test_relogin_leaves_queues_no_longer_wanted() -> None:
    live = seat(AgentActivity.IDLE, queues=("hotline", "hotline-callback", "hotline-dialect"))
    assert stale_queues(live, memberships((Skill.ENTERPRISE,))) == ("hotline-dialect",)
    assert stale_queues(None, memberships(())) == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("agent1001", SEAT), ("PJSIP/agent1001", SEAT), ("a.b-c_1", "PJSIP/a.b-c_1")],
)
def test_seat_names(raw: str, expected: str) -> None:
    assert seat_interface(raw) == expected


@pytest.mark.parametrize("raw", ["", "SIP/x", "agent 1001", "<script>", "a" * 41, 5, None, "PJSIP/a,b"])
def test_bad_seat_names_are_refused(raw: object) -> None:
    with pytest.raises(InvalidInput):
        seat_interface(raw)


def test_skills_and_reasons_parsed_strictly() -> None:
    assert parse_skills(["dialect", "enterprise", "dialect"]) == (Skill.DIALECT, Skill.ENTERPRISE)
    assert parse_skills(None) == ()
    assert parse_reason("training") is PauseReason.TRAINING
    for bad in (["telepathy"], "dialect", [1]):
        with pytest.raises(InvalidInput):
            parse_skills(bad)
    for reason in ("acw", "", None, "BREAK", "<b>"):
        with pytest.raises(InvalidInput):
            parse_reason(reason)


@pytest.mark.parametrize(
    ("pause", "wrapup", "starts"),
    [(None, 10, True), (None, 0, False), ("break", 10, False), ("acw", 10, False)],
)
def test_wrap_up_starts_only_for_a_seat_not_already_paused(
    pause: str | None, wrapup: int, starts: bool
) -> None:
    assert starts_wrap_up(pause, wrapup) is starts


def test_wrap_up_ends_when_due_and_still_in_wrap_up() -> None:
    due = T0 + timedelta(seconds=10)
    wrapping = seat(AgentActivity.WRAP_UP)
    assert wrap_up_due(wrapping, 10) == due
    assert wrap_up_due(seat(AgentActivity.IDLE), 10) is None
    assert not ends_wrap_up(wrapping, due, due - timedelta(seconds=1))
    assert ends_wrap_up(wrapping, due, due)
    assert not ends_wrap_up(seat(AgentActivity.PAUSED), due, due)  # chose a break meanwhile
    assert not ends_wrap_up(seat(AgentActivity.IDLE), due, due)  # resumed early
    assert not ends_wrap_up(None, due, due)  # logged out
