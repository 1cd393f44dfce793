"""Staff accounts (用户): hotline staff by role, handling-unit staff bound to one unit.

Pure rules for accounts and passwords; hashing and sessions are adapters' work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.errors import DomainError, InvalidInput, TooManyAttempts
from callcenter.ticketing.errors import AccessDenied

MAX_LOGIN_CHARS = 64
SESSION_LIFETIME = timedelta(hours=12)  # one shift and some; staff log in again the next day
LOGIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
RESERVED_LOGINS = frozenset({"system"})  # the platform's own actor in audit trails (supervision.SYSTEM_ID)


class NotAuthenticated(DomainError):
    """No valid session: log in first (HTTP 401)."""

    code = "not_authenticated"


class InvalidCredentials(NotAuthenticated):
    """Wrong login or password; the message never says which."""

    code = "invalid_credentials"


class WrongPassword(InvalidInput):
    """The current password given to change it is wrong (HTTP 400: the session itself is fine)."""

    code = "wrong_password"


class LoginLocked(TooManyAttempts):
    """Too many wrong passwords for this login from this address: refused unchecked for a while (HTTP 429).
    Any login string locks the same way, so the refusal does not tell whether the account exists."""

    code = "login_locked"


class PasswordChangeRequired(AccessDenied):
    """The account's password was set by an admin or no longer passes the strength rule: nothing but
    changing it (and logging out) is allowed until it is changed (HTTP 403)."""

    code = "password_change_required"


class CannotDeactivate(InvalidInput):
    """An admin cannot disable their own account (and so never the last active admin)."""

    code = "cannot_deactivate"


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: StaffId
    display_name: str
    role: Role
    unit: UnitId | None = None
    active: bool = True
    must_change_password: bool = False  # set by an admin's reset, or a login with a now-weak password

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
    if not 2 <= len(login) <= MAX_LOGIN_CHARS or not set(login) <= LOGIN_CHARS:
        raise InvalidInput("a login is 2-64 characters a-z, 0-9, '.', '_' or '-'", field="login")
    if login in RESERVED_LOGINS:
        raise InvalidInput("this login is reserved", field="login")


def check_deactivation(actor: Actor, target: StaffMember) -> None:
    """Disabling (停用) is refused for the acting admin's own account: the actor is an active admin, so
    this also keeps at least one admin able to log in."""
    if target.id == actor.id:
        raise CannotDeactivate("you cannot disable your own account", staff_id=target.id)
