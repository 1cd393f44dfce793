"""Password strength (密码复杂度): the rule every new password passes, whoever sets it.

GB/T 22239-2019 (等保 2.0) asks level-3 systems for passwords that are complex and not easily guessed.
What makes a staff password guessable is known: the login itself, one character repeated, a run of the
alphabet, the digits or the keyboard (``1234567890``, ``qwertyuiop``, ``1qaz2wsx``), and the short list
of passwords every guessing tool tries first — Chinese favourites (``woaini1314``, ``a123456789``)
included. Length counts most, so a passphrase of 16 characters or more needs no mix of character classes;
a shorter password needs three of the four (lower case, upper case, digits, anything else).

Each refusal names a stable ``reason`` (``PasswordReason``) that the desk shows in Chinese.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise

from callcenter.core.errors import InvalidInput

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256  # refused before hashing: Argon2's input is the whole string
PASSPHRASE_CHARS = 16  # from this length on, the mix of character classes is not asked for
MIN_CLASSES = 3
MIN_LOGIN_IN_PASSWORD = 3  # a login this long or longer must not appear inside the password
RUN_SHARE = 0.8  # this share of neighbouring characters following a run (or repeating) is "a run"

# Rows and columns of the keyboard, the alphabet and the digits: a step along one is "following a run".
RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "!@#$%^&*()",
    *("1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/"),
)
_STEPS = frozenset(pair for run in RUNS for step in pairwise(run) for pair in (step, step[::-1]))
# Whole passwords that guessing lists start with (lower-cased), where the other rules would let them by.
COMMON_PASSWORDS = frozenset(
    {
        "a123456789", "a1234567890", "aa123456789", "abc123456", "abc1234567", "abcd123456",
        "qq123456789", "woaini1314", "woaini520", "5201314520", "1314520520", "iloveyou1314",
        "1qaz2wsx", "1qaz2wsx3edc", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "qwe123456",
        "qwer123456", "qweasdzxc", "zxcvbnm123", "asdfghjkl123", "qwertyuiop123", "password123",
        "password1234", "password123!", "passw0rd123", "p@ssw0rd123", "admin123456", "admin@123456",
        "administrator", "root123456", "147258369", "1472583690", "123123123123", "123321123321",
        "1234567890", "0123456789", "12345678910", "9876543210",
    }
)  # fmt: skip
# Words that, with digits or signs only before or after them, make a guessable password.
COMMON_WORDS = frozenset(
    {
        "password", "passwd", "admin", "administrator", "root", "user", "guest", "test", "login",
        "welcome", "letmein", "iloveyou", "woaini", "woaiwojia", "aini", "mima", "wodemima", "qwerty",
        "qwertyuiop", "asdfghjkl", "zxcvbnm", "qazwsx", "monkey", "dragon", "master", "shadow",
        "sunshine", "princess", "football", "baseball", "superman", "trustno", "hello", "hotline",
        "callcenter", "changeme", "secret", "default", "china", "zhongguo", "beijing", "shanghai",
    }
)  # fmt: skip
_UNLEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})


class PasswordReason(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTAINS_LOGIN = "contains_login"
    COMMON = "common"
    REPETITIVE = "repetitive"
    SEQUENCE = "sequence"
    FEW_CLASSES = "few_classes"
    SAME_AS_CURRENT = "same_as_current"


MESSAGES = {
    PasswordReason.TOO_SHORT: f"a password has at least {MIN_PASSWORD_CHARS} characters",
    PasswordReason.TOO_LONG: f"a password has at most {MAX_PASSWORD_CHARS} characters",
    PasswordReason.CONTAINS_LOGIN: "the password must not contain the login",
    PasswordReason.COMMON: "this password is on the lists guessing tools try first",
    PasswordReason.REPETITIVE: "the password repeats a character or a short pattern",
    PasswordReason.SEQUENCE: "the password is a run of the alphabet, the digits or the keyboard",
    PasswordReason.FEW_CLASSES: (
        f"a password under {PASSPHRASE_CHARS} characters mixes at least {MIN_CLASSES} of: lower case, "
        "upper case, digits, other signs"
    ),
    PasswordReason.SAME_AS_CURRENT: "the new password must differ from the current one",
}


class WeakPassword(InvalidInput):
    """The password breaks the strength rule; ``details.reason`` says which part (HTTP 400)."""

    code = "weak_password"


def password_problem(password: str, login: str) -> PasswordReason | None:
    """What is wrong with ``password`` for the account ``login``, or ``None`` if it is strong enough."""
    if len(password) < MIN_PASSWORD_CHARS:
        return PasswordReason.TOO_SHORT
    if len(password) > MAX_PASSWORD_CHARS:
        return PasswordReason.TOO_LONG
    lowered = password.lower()
    if _contains_login(lowered, login.lower()):
        return PasswordReason.CONTAINS_LOGIN
    if _is_common(lowered):
        return PasswordReason.COMMON
    if _is_repetitive(lowered):
        return PasswordReason.REPETITIVE
    if _is_run(lowered):
        return PasswordReason.SEQUENCE
    if len(password) < PASSPHRASE_CHARS and character_classes(password) < MIN_CLASSES:
        return PasswordReason.FEW_CLASSES
    return None


def check_password(password: str, login: str, field: str = "password") -> None:
    """``WeakPassword`` naming the reason, unless the password passes ``password_problem``."""
    reason = password_problem(password, login)
    if reason is not None:
        raise WeakPassword(MESSAGES[reason], field=field, reason=reason.value)


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other signs (Chinese characters count as other)."""
    kinds = {
        "lower" if c.islower() else "upper" if c.isupper() else "digit" if c.isdigit() else "other"
        for c in password
    }
    return len(kinds)


def _contains_login(lowered: str, login: str) -> bool:
    if lowered == login or lowered == login[::-1]:
        return True
    return len(login) >= MIN_LOGIN_IN_PASSWORD and login in lowered


def _is_common(lowered: str) -> bool:
    if lowered in COMMON_PASSWORDS:
        return True
    core = lowered.strip("0123456789!#%^&*()-_=+.,;:?~ ")
    return core.translate(_UNLEET) in COMMON_WORDS or core in COMMON_WORDS


def _is_repetitive(lowered: str) -> bool:
    """Three or fewer distinct characters, or a short pattern repeated (``abcabcabcabc``)."""
    if len(set(lowered)) <= 3:
        return True
    size = len(lowered)
    periods = (p for p in range(1, size // 2 + 1) if size % p == 0)
    return any(lowered == lowered[:period] * (size // period) for period in periods)


def _is_run(lowered: str) -> bool:
    """Most neighbouring characters step along the alphabet, the digits or a keyboard row or column."""
    pairs = list(pairwise(lowered))
    steps = sum(1 for a, b in pairs if a == b or (a, b) in _STEPS)
    return steps >= RUN_SHARE * len(pairs)
