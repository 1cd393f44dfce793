"""Staff accounts (用户): hotline staff by role, handling-unit staff bound to one unit.

Pure rules for accounts and passwords; hashing and sessions are adapters' work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from callcenter.core.errors import DomainError, InvalidInput
from callcenter.ticketing.actors import Actor, Role, StaffId, UnitId

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
SESSION_LIFETIME = timedelta(hours=12)  # one shift and some; staff log in again the next day
LOGIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
RESERVED_LOGINS = frozenset({"system"})  # the platform's own actor in audit trails (supervision.SYSTEM_ID)


class NotAuthenticated(DomainError):
    """No valid session: log in first (HTTP 401)."""

    code = "not_authenticated"


class InvalidCredentials(NotAuthenticated):
    """Wrong login or password; the message never says which."""

    code = "invalid_credentials"


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: StaffId
    display_name: str
    role: Role
    unit: UnitId | None = None
    active: bool = True

    def __post_init__(self) -> None:
        check_login(self.id)
        if not self.display_name.strip():
            raise InvalidInput("a display name is required", field="display_name")
        Actor(self.id, self.role, self.unit)  # unit staff, and only unit staff, carry a unit

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role, self.unit)


def check_login(login: str) -> None:
    """Logins are short lowercase ASCII (they appear in audit trails and logs)."""
    if not 2 <= len(login) <= 64 or not set(login) <= LOGIN_CHARS:
        raise InvalidInput("a login is 2-64 characters a-z, 0-9, '.', '_' or '-'", field="login")
    if login in RESERVED_LOGINS:
        raise InvalidInput("this login is reserved", field="login")


def check_password(password: str) -> None:
    """At least 10 characters (GB/T 22239-2019 level-3 systems require complex passwords; length is the
    part that counts); very long ones are refused before hashing."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InvalidInput(
            f"a password has {MIN_PASSWORD_CHARS}-{MAX_PASSWORD_CHARS} characters", field="password"
        )
