"""Agent sessions (坐席签入/示忙/示闲/签出): the commands and their rules, pure.

A session binds a staff member to a seat (a softphone endpoint, e.g. ``PJSIP/agent1001``) on one
Asterisk, with skills. Skills become queue memberships with penalties (docs/agents.md):

* a seat with skill S is a member of S's queue with penalty 0 and of ``hotline`` with penalty 1,
* a general seat (no skill) is a member of ``hotline`` with penalty 0,
* every seat is also a member of ``hotline-callback`` (missed-call call-backs put through to agents).

After-call work (话后整理) is a pause with reason ``acw``: set by the system after each answered queue
call and lifted after ``wrapup_time`` seconds, unless the agent chose another pause or resumed first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from callcenter.core.actors import StaffId
from callcenter.core.errors import InvalidInput, InvalidTransition
from callcenter.queue.seats.agents import ACW_REASON, AgentActivity, SeatState

GENERAL_QUEUE = "hotline"  # 普通话 general line
MISSED_CALL_QUEUE = "hotline-callback"  # outbound missed-call call-backs (never counted as inbound)
SEAT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")


class Skill(StrEnum):
    ENTERPRISE = "enterprise"  # 涉企 enterprise seats
    DIALECT = "dialect"  # 方言 dialect seats
    FOREIGN = "foreign"  # 外语 foreign-language seats


SKILL_QUEUES: dict[Skill, str] = {
    Skill.ENTERPRISE: "hotline-enterprise",
    Skill.DIALECT: "hotline-dialect",
    Skill.FOREIGN: "hotline-foreign",
}
ALL_QUEUES = (GENERAL_QUEUE, *SKILL_QUEUES.values(), MISSED_CALL_QUEUE)


class PauseReason(StrEnum):
    """Pause reasons as sent to Asterisk (ASCII codes; the desk shows the Chinese)."""

    ACW = ACW_REASON  # 话后整理: set by the system only
    BREAK = "break"  # 小休
    MEAL = "meal"  # 用餐
    TRAINING = "training"  # 培训
    MEETING = "meeting"  # 会议
    OTHER = "other"  # 其他


AGENT_REASONS = frozenset(PauseReason) - {PauseReason.ACW}


class SeatTaken(InvalidTransition):
    """Another staff member is logged in on this seat."""

    code = "seat_taken"


class AlreadyLoggedIn(InvalidTransition):
    """The staff member is logged in on another seat: log out there first."""

    code = "already_logged_in"


class NotLoggedIn(InvalidTransition):
    code = "not_logged_in"


class BusyOnCall(InvalidTransition):
    """An agent does not log out in the middle of a call (a supervisor may force it)."""

    code = "busy_on_call"


@dataclass(frozen=True, slots=True)
class Membership:
    queue: str
    penalty: int


@dataclass(frozen=True, slots=True)
class AgentSession:
    staff: StaffId
    server: str
    seat: str  # member interface, e.g. PJSIP/agent1001
    skills: tuple[Skill, ...]
    since: datetime


# -- commands ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LogIn:
    """签入: take a seat and join its queues."""

    staff: StaffId
    server: str
    seat: str
    skills: tuple[Skill, ...]


@dataclass(frozen=True, slots=True)
class Pause:
    """示忙 with a reason."""

    staff: StaffId
    reason: PauseReason


@dataclass(frozen=True, slots=True)
class Resume:
    """示闲."""

    staff: StaffId


@dataclass(frozen=True, slots=True)
class LogOut:
    """签出; ``forced`` by a supervisor even in the middle of a call."""

    staff: StaffId
    forced: bool = False


SessionCommand = LogIn | Pause | Resume | LogOut


# -- parsing -------------------------------------------------------------------------------------
def seat_interface(raw: object) -> str:
    """``agent1001`` or ``PJSIP/agent1001`` → ``PJSIP/agent1001``; anything else is ``InvalidInput``."""
    if not isinstance(raw, str):
        raise InvalidInput("seat must be a text such as agent1001", field="seat")
    name = raw.removeprefix("PJSIP/")
    if not SEAT_NAME.fullmatch(name):
        raise InvalidInput("seat must be letters, digits, '.', '_' or '-' (1-40)", field="seat")
    return f"PJSIP/{name}"


def parse_skills(raw: object) -> tuple[Skill, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise InvalidInput("skills must be a list of texts", field="skills")
    try:
        skills = {Skill(s) for s in raw}
    except ValueError as exc:
        raise InvalidInput(f"skills must be among {[s.value for s in Skill]}", field="skills") from exc
    return tuple(sorted(skills))


def parse_reason(raw: object) -> PauseReason:
    """An agent's own pause reason; ``acw`` is the system's, not the agent's."""
    if not isinstance(raw, str) or raw not in AGENT_REASONS:
        raise InvalidInput(f"reason must be one of {sorted(AGENT_REASONS)}", field="reason")
    return PauseReason(raw)


def skills_of(queues: tuple[str, ...]) -> tuple[Skill, ...]:
    """Skills read back from a seat's queues (a session recovered from Asterisk alone)."""
    return tuple(sorted(s for s, q in SKILL_QUEUES.items() if q in queues))


# -- rules ---------------------------------------------------------------------------------------
def memberships(skills: tuple[Skill, ...]) -> tuple[Membership, ...]:
    """The queues a seat joins for its skills, with penalties (lower = offered first)."""
    general = Membership(GENERAL_QUEUE, 1 if skills else 0)
    skilled = tuple(Membership(SKILL_QUEUES[s], 0) for s in sorted(set(skills)))
    return (general, *skilled, Membership(MISSED_CALL_QUEUE, 0))


def log_in(cmd: LogIn, current: AgentSession | None, holder: StaffId | None, now: datetime) -> AgentSession:
    """The session ``cmd`` opens. Logging in again on one's own seat changes the skills (and keeps the
    session's start); another seat needs a logout first; a seat held by someone else is refused."""
    if holder is not None and holder != cmd.staff:
        raise SeatTaken(f"seat {cmd.seat} is taken by {holder}", seat=cmd.seat, holder=holder)
    if current is not None and (current.seat, current.server) != (cmd.seat, cmd.server):
        raise AlreadyLoggedIn(f"already logged in on {current.seat}", seat=current.seat)
    since = current.since if current is not None else now
    return AgentSession(cmd.staff, cmd.server, cmd.seat, cmd.skills, since)


def require_session(current: AgentSession | None, staff: StaffId) -> AgentSession:
    if current is None:
        raise NotLoggedIn(f"{staff} is not logged in on a seat", staff=staff)
    return current


def check_log_out(cmd: LogOut, seat: SeatState | None) -> None:
    if (
        not cmd.forced
        and seat is not None
        and seat.activity in (AgentActivity.ON_CALL, AgentActivity.RINGING)
    ):
        raise BusyOnCall("finish the call before logging out", seat=seat.interface)


def stale_queues(seat: SeatState | None, wanted: tuple[Membership, ...]) -> tuple[str, ...]:
    """Queues the seat is in but its (new) skills do not ask for: left at a re-login."""
    keep = {m.queue for m in wanted}
    return tuple(q for q in (seat.queues if seat else ()) if q not in keep)


# -- after-call work (话后整理) -------------------------------------------------------------------
def starts_wrap_up(pause: str | None, wrapup_seconds: int) -> bool:
    """After an answered call ends: wrap-up starts unless it is switched off or the agent already
    chose a pause (e.g. paused for a break during the call)."""
    return wrapup_seconds > 0 and pause is None


def wrap_up_due(seat: SeatState, wrapup_seconds: int) -> datetime | None:
    """When the seat's wrap-up ends, if it is in wrap-up; the end may already be past (a resync after
    a restart finds old acw pauses: they are lifted at once)."""
    if seat.activity is not AgentActivity.WRAP_UP:
        return None
    return seat.since + timedelta(seconds=wrapup_seconds)


def ends_wrap_up(seat: SeatState | None, due: datetime, now: datetime) -> bool:
    """At the timer: lift the pause only if the seat is still in wrap-up (not resumed early, not
    switched to another pause) and its time is up. A new call's wrap-up replaces the seat's timer."""
    return seat is not None and seat.activity is AgentActivity.WRAP_UP and now >= due
