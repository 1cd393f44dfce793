"""Domain errors map to HTTP status codes in one place; another unit's order looks like none at all."""

from __future__ import annotations

import pytest

from callcenter.adapters.http.errors import status_of
from callcenter.core.errors import ConcurrentUpdate, DomainError, InvalidInput, InvalidTransition, NotFound
from callcenter.ticketing.errors import (
    AccessDenied,
    ExtensionLimitExceeded,
    NotLeadUnit,
    ReturnLimitReached,
    RoleForbidden,
    TicketNotVisible,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound, 404),
        (TicketNotVisible, 404),
        (InvalidInput, 400),
        (InvalidTransition, 409),
        (ReturnLimitReached, 409),
        (ExtensionLimitExceeded, 409),
        (ConcurrentUpdate, 409),
        (AccessDenied, 403),
        (RoleForbidden, 403),
        (NotLeadUnit, 403),
        (DomainError, 422),
    ],
)
def test_status_of(error: type[DomainError], status: int) -> None:
    assert status_of(error("x")) == status


def test_the_account_errors_have_their_statuses() -> None:
    from callcenter.core.errors import TooManyAttempts
    from callcenter.staff.model import CannotDeactivate, LoginLocked, PasswordChangeRequired, WrongPassword
    from callcenter.staff.passwords import WeakPassword

    assert status_of(TooManyAttempts("x", 0.2)) == 429 and TooManyAttempts("x", 0.2).retry_after == 1
    assert status_of(LoginLocked("x", 899.5)) == 429 and LoginLocked("x", 899.5).details == {
        "retry_after": 900
    }
    assert status_of(PasswordChangeRequired("x")) == 403
    for error in (WeakPassword, WrongPassword, CannotDeactivate):
        assert status_of(error("x")) == 400
