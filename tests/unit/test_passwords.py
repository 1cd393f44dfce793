"""The password strength rule (staff/passwords.py): what is refused, why, and what passes."""

from __future__ import annotations

import pytest

from callcenter.staff.passwords import (
    MAX_PASSWORD_CHARS,
    PasswordReason,
    WeakPassword,
    check_password,
    password_problem,
)

R = PasswordReason


@pytest.mark.parametrize(
    ("password", "login", "reason"),
    [
        ("short1!A", "agent1", R.TOO_SHORT),
        ("x" * (MAX_PASSWORD_CHARS - 1) + "Ab1!", "agent1", R.TOO_LONG),
        ("aaaaaaaaaa", "agent1", R.REPETITIVE),
        ("1111111111", "agent1", R.REPETITIVE),
        ("abcabcabcabc", "agent1", R.REPETITIVE),
        ("Ab1!Ab1!Ab1!", "agent1", R.REPETITIVE),
        ("1234567890", "agent1", R.COMMON),
        ("qwertyuiop", "agent1", R.COMMON),
        ("woaini1314", "agent1", R.COMMON),
        ("a123456789", "agent1", R.COMMON),
        ("password123", "agent1", R.COMMON),
        ("P@ssw0rd2024!", "agent1", R.COMMON),
        ("Iloveyou520!", "agent1", R.COMMON),
        ("1qaz2wsx3edc", "agent1", R.COMMON),
        ("zyxwvutsrqpo", "agent1", R.SEQUENCE),
        ("Abcdefgh12", "agent1", R.SEQUENCE),
        ("asdfghjkl;'", "agent1", R.SEQUENCE),
        ("2345678901", "agent1", R.SEQUENCE),
        ("agent1agent1", "agent1", R.CONTAINS_LOGIN),
        ("My-Agent1-pass", "agent1", R.CONTAINS_LOGIN),
        ("1tnega", "agent1", R.TOO_SHORT),
        ("zhangwei1987", "agent1", R.FEW_CLASSES),
        ("zhangwei-lucky", "agent1", R.FEW_CLASSES),
    ],
)
def test_weak_passwords_are_refused_with_their_reason(password: str, login: str, reason: R) -> None:
    assert password_problem(password, login) == reason
    with pytest.raises(WeakPassword) as refused:
        check_password(password, login)
    assert refused.value.code == "weak_password"
    assert refused.value.details == {"field": "password", "reason": reason.value}


@pytest.mark.parametrize(
    ("password", "login"),
    [
        ("Zhang-Wei-1987!", "zhangwei"),  # three classes, 15 characters
        ("Tiger7!lamp", "agent1"),
        ("correct-horse-battery-staple", "agent1"),  # a passphrase: 16+ characters need no mix
        ("住在东华门的老王wang2024", "agent1"),  # Chinese characters count as "other signs"
        ("4f9a1c0e8b7d6a5f3e2d1c0b9a8f7e6d", "admin"),  # the generated admin password's shape
        ("correct-horse-12345", "agent1"),  # the tests' staff password
        ("test-hotline-secret-42", "admin"),  # the tests' admin password
        ("li-2024-Spring", "li"),  # a two-letter login only has to differ from the whole password
    ],
)
def test_strong_passwords_pass(password: str, login: str) -> None:
    assert password_problem(password, login) is None
    check_password(password, login)


def test_the_field_named_in_the_refusal_can_be_the_forms_own() -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password("aaaaaaaaaa", "agent1", field="new")
    assert refused.value.details["field"] == "new"
