"""Supervision (督办) rules as a specification: who opens and closes, what is targeted, notes, deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import DomainError, InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.errors import RoleForbidden
from callcenter.ticketing.supervision.rules import (
    AUTOMATIC_KINDS,
    SUPERVISING_ROLES,
    SYSTEM,
    SYSTEM_ID,
    DueBeforeOpening,
    NoteRequired,
    Supervision,
    SupervisionClosed,
    SupervisionKind,
    SupervisionKindRequired,
    SupervisionStatus,
    SupervisionTargetInvalid,
    SupervisionTrigger,
    close_supervision,
    open_supervision,
)

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
TICKET = TicketId(7)
SUPERVISOR = Actor(StaffId("sup-1"), Role.SUPERVISOR)
ADMIN = Actor(StaffId("admin"), Role.ADMIN)
AGENT = Actor(StaffId("agent-1001"), Role.AGENT)
DISPATCHER = Actor(StaffId("disp-1"), Role.DISPATCHER)
UNIT_STAFF = Actor(StaffId("u-housing"), Role.UNIT_STAFF, UnitId("housing-bureau"))
Trigger, Kind = SupervisionTrigger, SupervisionKind
AUTOMATIC = [Trigger.OVERDUE, Trigger.DUPLICATES, Trigger.RETURN_LIMIT]


def attempt(**changes: object) -> Supervision:
    """A manual opening by a supervisor, with ``changes`` to its arguments."""
    args: dict[str, object] = {
        "trigger": Trigger.MANUAL,
        "by": SUPERVISOR,
        "at": T0,
        "ticket_id": TICKET,
        "kind": Kind.KEY,
        "note": "citizens keep calling",
    }
    args.update(changes)
    return open_supervision(**args)  # type: ignore[arg-type]


def manual(**changes: object) -> Supervision:
    return attempt(**{"note": "  citizens keep calling  ", **changes})


def test_a_supervisor_opens_a_manual_supervision_with_kind_note_and_deadline() -> None:
    s = manual(due_at=T0 + timedelta(days=2))
    assert (s.id, s.ticket_id, s.matter_id) == (None, TICKET, None)
    assert (s.kind, s.trigger, s.status, s.is_open) == (
        Kind.KEY,
        Trigger.MANUAL,
        SupervisionStatus.OPEN,
        True,
    )
    assert (s.note, s.opened_by, s.opened_at, s.due_at) == (
        "citizens keep calling",
        "sup-1",
        T0,
        T0 + timedelta(days=2),
    )
    assert (s.closed_by, s.closed_at, s.closing_note) == (None, None, None)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_can_be_opened_by_hand(kind: SupervisionKind) -> None:
    assert manual(kind=kind).kind is kind


@pytest.mark.parametrize("trigger", AUTOMATIC)
def test_automatic_triggers_open_platform_supervisions_by_the_system(trigger: SupervisionTrigger) -> None:
    s = open_supervision(trigger, SYSTEM, T0, ticket_id=TICKET)
    assert (s.kind, s.opened_by, s.note) == (Kind.PLATFORM, SYSTEM_ID, "")
    assert AUTOMATIC_KINDS[trigger] is Kind.PLATFORM


def test_an_automatic_trigger_may_name_another_kind_and_target_a_matter() -> None:
    s = open_supervision(Trigger.DUPLICATES, SYSTEM, T0, matter_id=3, kind=Kind.SPECIAL)
    assert (s.ticket_id, s.matter_id, s.kind) == (None, 3, Kind.SPECIAL)


def test_a_supervisor_may_act_on_an_automatic_condition() -> None:
    s = open_supervision(Trigger.RETURN_LIMIT, ADMIN, T0, ticket_id=TICKET, note="returned 3 times")
    assert (s.opened_by, s.kind) == ("admin", Kind.PLATFORM)


def test_the_system_id_is_reserved_and_not_a_role() -> None:
    assert SYSTEM.id == SYSTEM_ID == "system"
    assert set(SUPERVISING_ROLES) == {Role.SUPERVISOR, Role.ADMIN}


def refused(changes: dict[str, object], error: type[DomainError], code: str, name: str) -> object:
    return pytest.param(changes, error, code, id=name)


@pytest.mark.parametrize(
    ("changes", "error", "code"),
    [
        refused({"by": AGENT}, RoleForbidden, "role_forbidden", "agent"),
        refused({"by": DISPATCHER}, RoleForbidden, "role_forbidden", "dispatcher"),
        refused({"by": UNIT_STAFF, "trigger": Trigger.OVERDUE}, RoleForbidden, "role_forbidden", "unit"),
        refused({"by": SYSTEM}, RoleForbidden, "role_forbidden", "system-manual"),
        refused({"ticket_id": None}, SupervisionTargetInvalid, "supervision_target_invalid", "no-target"),
        refused({"matter_id": 3}, SupervisionTargetInvalid, "supervision_target_invalid", "two-targets"),
        refused({"kind": None}, SupervisionKindRequired, "supervision_kind_required", "no-kind"),
        refused({"note": ""}, NoteRequired, "note_required", "empty-note"),
        refused({"note": " \n\t "}, NoteRequired, "note_required", "blank-note"),
        refused({"note": "x" * 4001}, InvalidInput, "invalid_input", "long-note"),
        refused({"note": "bell\x07"}, InvalidInput, "invalid_input", "control-char"),
        refused({"due_at": T0}, DueBeforeOpening, "supervision_due_before_opening", "due-at-opening"),
        refused(
            {"due_at": T0 - timedelta(minutes=1)},
            DueBeforeOpening,
            "supervision_due_before_opening",
            "due-before-opening",
        ),
        refused({"due_at": datetime(2026, 12, 1, 17, 30)}, InvalidInput, "invalid_input", "naive-due"),
        refused({"at": T0.replace(tzinfo=None)}, InvalidInput, "invalid_input", "naive-at"),
    ],
)
def test_bad_openings_are_refused_with_stable_codes(
    changes: dict[str, object], error: type[DomainError], code: str
) -> None:
    with pytest.raises(error) as raised:
        attempt(**changes)
    assert raised.value.code == code


@pytest.mark.parametrize("closer", [SUPERVISOR, ADMIN])
def test_a_supervisor_or_admin_closes_with_a_note(closer: Actor) -> None:
    s = manual()
    closed = close_supervision(s, closer, T0 + timedelta(hours=3), "  unit called the citizen  ")
    assert (closed.status, closed.is_open) == (SupervisionStatus.CLOSED, False)
    assert (closed.closed_by, closed.closed_at, closed.closing_note) == (
        closer.id,
        T0 + timedelta(hours=3),
        "unit called the citizen",
    )
    assert replace(closed, status=s.status, closed_by=None, closed_at=None, closing_note=None) == s


def test_an_automatic_supervision_is_closed_by_a_person() -> None:
    s = open_supervision(Trigger.OVERDUE, SYSTEM, T0, ticket_id=TICKET)
    assert close_supervision(s, SUPERVISOR, T0, "replied").closed_by == "sup-1"


@pytest.mark.parametrize(
    ("closer", "note", "at", "error", "code"),
    [
        (AGENT, "done", T0, RoleForbidden, "role_forbidden"),
        (UNIT_STAFF, "done", T0, RoleForbidden, "role_forbidden"),
        (SYSTEM, "done", T0, RoleForbidden, "role_forbidden"),
        (SUPERVISOR, "   ", T0, NoteRequired, "note_required"),
        (SUPERVISOR, "done", T0 - timedelta(seconds=1), InvalidInput, "invalid_input"),
        (SUPERVISOR, "done", T0.replace(tzinfo=None), InvalidInput, "invalid_input"),
    ],
    ids=["agent", "unit-staff", "system", "blank-note", "before-opening", "naive"],
)
def test_bad_closings_are_refused(
    closer: Actor, note: str, at: datetime, error: type[DomainError], code: str
) -> None:
    with pytest.raises(error) as raised:
        close_supervision(manual(), closer, at, note)
    assert raised.value.code == code


def test_a_closed_supervision_cannot_be_closed_again() -> None:
    closed = close_supervision(manual(), SUPERVISOR, T0, "done")
    with pytest.raises(SupervisionClosed) as raised:
        close_supervision(closed, ADMIN, T0 + timedelta(hours=1), "again")
    assert raised.value.code == "supervision_closed"
    assert raised.value.details == {"supervision_id": None}
