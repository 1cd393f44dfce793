"""Supervision (督办): formal pressure on a handling unit about a ticket, or a matter (并单), at risk.

Pure rules (ADR 0011): ``open_supervision`` and ``close_supervision`` check who acts, what is targeted and
the notes, and return a new frozen ``Supervision``; the store persists it. A supervision is opened either by
a person — a supervisor or an admin, the roles that may 督办 in the life cycle (``PERMISSIONS``) — or, for
an automatic trigger, by the platform itself, recorded as ``SYSTEM``. Only a person closes one: deciding
that the pressure worked is a judgement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NewType

from callcenter.core.actors import Actor, StaffId
from callcenter.core.errors import InvalidInput, InvalidTransition, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.errors import RoleForbidden
from callcenter.ticketing.orders.lifecycle import PERMISSIONS
from callcenter.ticketing.states import Action

SupervisionId = NewType("SupervisionId", int)
MAX_NOTE_CHARS = 4000


class SupervisionKind(StrEnum):
    """How strongly, and by whom, the unit is pressed (督办方式)."""

    PLATFORM = "platform"  # 平台督办: the hotline platform follows the ticket up with the unit
    KEY = "key"  # 重点督办: a matter the leadership watches; reported upwards
    SPECIAL = "special"  # 专项督办: part of a campaign on one kind of matter
    ON_SITE = "on_site"  # 现场督办: supervisors go to the place with the unit
    MEDIA = "media"  # 媒体督办: raised with, or by, the press and broadcast programmes


class SupervisionTrigger(StrEnum):
    """Why a supervision was opened."""

    MANUAL = "manual"  # a supervisor decided
    OVERDUE = "overdue"  # 红牌: the ticket passed its handling deadline (the sweeper)
    DUPLICATES = "duplicates"  # 并单: many citizens call about one matter
    RETURN_LIMIT = "return_limit"  # 退单 too often: the ticket cannot be returned again


class SupervisionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


AUTOMATIC_KINDS: Final = MappingProxyType(
    {
        SupervisionTrigger.OVERDUE: SupervisionKind.PLATFORM,
        SupervisionTrigger.DUPLICATES: SupervisionKind.PLATFORM,
        SupervisionTrigger.RETURN_LIMIT: SupervisionKind.PLATFORM,
    }
)
"""The kind each automatic trigger opens unless told otherwise: 平台督办, the hotline's own follow-up;
escalating to 重点/专项/现场/媒体督办 is a supervisor's decision. A manual supervision names its kind."""

SUPERVISING_ROLES: Final = PERMISSIONS[Action.SUPERVISE].roles
"""Who may open and close a supervision: the roles that may 督办 a ticket (supervisor, admin)."""


SYSTEM_ID: Final = StaffId("system")
"""Reserved: ``opened_by`` of automatic supervisions. No staff login may be ``"system"``."""


@dataclass(frozen=True, slots=True)
class SystemActor:
    """The hotline platform acting on its own (the deadline sweeper, the duplicate detector).

    Its id, ``SYSTEM_ID``, is what ``opened_by`` records for automatic supervisions. It is not an
    ``Actor``: it has no role, passes no access check and cannot close a supervision.
    """

    id: StaffId = SYSTEM_ID


SYSTEM: Final = SystemActor()
Opener = Actor | SystemActor


class SupervisionClosed(InvalidTransition):
    """The supervision is already closed: nothing more can be done to it."""

    code = "supervision_closed"


class SupervisionNotFound(NotFound):
    code = "supervision_not_found"


class SupervisionTargetInvalid(InvalidInput):
    """A supervision targets exactly one ticket or one matter (并单), never both, never neither."""

    code = "supervision_target_invalid"


class SupervisionKindRequired(InvalidInput):
    """A supervisor opening a supervision chooses its kind (督办方式); only automatic triggers default."""

    code = "supervision_kind_required"


class NoteRequired(InvalidInput):
    """A manual supervision says what is wrong; closing one says what was done (``field`` tells which)."""

    code = "note_required"


class DueBeforeOpening(InvalidInput):
    """The unit's deadline for answering a supervision lies after its opening."""

    code = "supervision_due_before_opening"


@dataclass(frozen=True, slots=True)
class Supervision:
    """One 督办 record. ``id`` is None until stored; times are aware (UTC from storage)."""

    id: SupervisionId | None
    ticket_id: TicketId | None
    matter_id: int | None  # 并单 (matters.id)
    kind: SupervisionKind
    trigger: SupervisionTrigger
    status: SupervisionStatus
    note: str
    due_at: datetime | None
    opened_by: StaffId
    opened_at: datetime
    closed_by: StaffId | None = None
    closed_at: datetime | None = None
    closing_note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is SupervisionStatus.OPEN


def open_supervision(
    trigger: SupervisionTrigger,
    by: Opener,
    at: datetime,
    *,
    ticket_id: TicketId | None = None,
    matter_id: int | None = None,
    kind: SupervisionKind | None = None,
    note: str = "",
    due_at: datetime | None = None,
) -> Supervision:
    """A new open supervision of a ticket or a matter.

    Refuses, in this order: a naive time (``invalid_input``); an opener who may not (``role_forbidden``:
    only supervisors and admins, and the system only for automatic triggers); not exactly one target
    (``supervision_target_invalid``); a manual one without kind or note (``supervision_kind_required``,
    ``note_required``); a ``due_at`` not after ``at`` (``supervision_due_before_opening``).
    """
    _require_aware(at, "at")
    _may_open(by, trigger)
    if (ticket_id is None) == (matter_id is None):
        raise SupervisionTargetInvalid(
            "a supervision targets exactly one ticket or one matter", ticket_id=ticket_id, matter_id=matter_id
        )
    return Supervision(
        id=None,
        ticket_id=ticket_id,
        matter_id=matter_id,
        kind=_kind(trigger, kind),
        trigger=trigger,
        status=SupervisionStatus.OPEN,
        note=_note(note, "note", required=trigger is SupervisionTrigger.MANUAL),
        due_at=_due_at(due_at, at),
        opened_by=by.id,
        opened_at=at,
    )


def close_supervision(supervision: Supervision, by: Actor, at: datetime, closing_note: str) -> Supervision:
    """Close an open supervision, saying what was done; a closed one stays closed (``supervision_closed``).

    Only a supervisor or an admin closes (``role_forbidden``); the closing may not predate the opening.
    """
    _require_aware(at, "at")
    _may_close(by)
    if not supervision.is_open:
        raise SupervisionClosed("the supervision is already closed", supervision_id=supervision.id)
    if at < supervision.opened_at:
        raise InvalidInput("a supervision cannot close before it opened", field="at")
    return replace(
        supervision,
        status=SupervisionStatus.CLOSED,
        closed_by=by.id,
        closed_at=at,
        closing_note=_note(closing_note, "closing_note", required=True),
    )


def _may_open(by: Opener, trigger: SupervisionTrigger) -> None:
    if isinstance(by, SystemActor):
        if trigger is SupervisionTrigger.MANUAL:
            raise RoleForbidden("the system may not open a manual supervision", action="supervise")
        return
    _require_supervising_role(by)


def _may_close(by: Actor) -> None:
    if not isinstance(by, Actor):
        raise RoleForbidden("only a supervisor or an admin closes a supervision", action="close_supervision")
    _require_supervising_role(by)


def _require_supervising_role(actor: Actor) -> None:
    if actor.role not in SUPERVISING_ROLES:
        raise RoleForbidden(f"a {actor.role} may not supervise", action="supervise", role=actor.role)


def _kind(trigger: SupervisionTrigger, kind: SupervisionKind | None) -> SupervisionKind:
    if kind is not None:
        return kind
    default = AUTOMATIC_KINDS.get(trigger)
    if default is None:
        raise SupervisionKindRequired("choose the kind of supervision", field="kind")
    return default


def _note(text: str, field: str, *, required: bool) -> str:
    """Notes are stored as typed, stripped; overlong text and control characters are refused."""
    text = text.strip()
    if required and not text:
        raise NoteRequired(f"{field} is required", field=field)
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"{field} is longer than {MAX_NOTE_CHARS} characters", field=field)
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise InvalidInput(f"{field} contains control characters", field=field)
    return text


def _due_at(due_at: datetime | None, opened_at: datetime) -> datetime | None:
    if due_at is None:
        return None
    _require_aware(due_at, "due_at")
    if due_at <= opened_at:
        raise DueBeforeOpening("a supervision is due after it opens", field="due_at")
    return due_at


def _require_aware(moment: datetime, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{field} must be timezone-aware", field=field)
