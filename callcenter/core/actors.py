"""Who acts on a ticket: hotline staff by role, handling-unit staff bound to their unit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

from callcenter.core.errors import InvalidInput

StaffId = NewType("StaffId", str)  # a login of hotline or unit staff
UnitId = NewType("UnitId", str)  # a handling unit (承办单位)


class Role(StrEnum):
    AGENT = "agent"  # 话务员: registers, answers on the call, dispatches directly (一单通达)
    DISPATCHER = "dispatcher"  # 派单员: dispatches and reviews returns
    SUPERVISOR = "supervisor"  # 督办: extensions, reopening, supervision, review, assessment
    UNIT_STAFF = "unit_staff"  # 承办单位人员: acts only on tickets of their own unit
    ADMIN = "admin"  # every hotline-side action; never a unit's


HOTLINE_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
"""The hotline's own staff (every role but a handling unit's)."""

CALL_REVIEWERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
"""Who may see every call, its recording and its transcript (班长, admins; staff/call_access.py). The quality
inspectors' role (质检员) joins here when it is added; nobody else sees a call they did not answer."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The person performing an action. Unit staff carry their unit; nobody else does."""

    id: StaffId
    role: Role
    unit: UnitId | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.UNIT_STAFF) != (self.unit is not None):
            raise InvalidInput("unit staff, and only unit staff, are bound to a unit", role=self.role)
