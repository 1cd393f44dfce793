"""Which numbers the missed-call dialer may call back (漏接回拨), as data; pure (issue 11).

An automatic call-back spends the hotline's money and speaks for the government: it must reach a citizen's
own domestic phone, never an international number, a premium-rate line or a service number that a spoofed
or odd caller id could point it at. The rule: a number refused by any ``refused`` rule is never dialled,
with that rule's name as the reason; otherwise it must match an ``allowed`` rule (else ``not_domestic``).
Both lists are settings (``missed_call_dial_allowed``, ``missed_call_dial_refused``): ``name=regex;…``, each
regex matched against the whole normalised number (digits only, +86/0086 removed).

Defaults (mainland China numbering plan):

* allowed — ``mobile`` 1[3-9] + 9 digits; ``landline`` 0 + area code + local number (11-12 digits);
  ``local`` a 7-8 digit local number without area code (the trunk is in the hotline's own city).
* refused — ``international`` 00…; ``toll_free`` 400/800 numbers (a company's inbound line, never a
  citizen's phone, and 400 calls are charged to the caller); ``service`` short service codes (95xxx,
  96xxx, 1xx/1xxxx such as 110, 12345, 10086); ``premium`` 168 voice-information lines and 1900 up to
  10 digits (an 11-digit 1900… is a China Telecom mobile and stays allowed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callcenter.core.errors import InvalidInput

NOT_DOMESTIC = "not_domestic"
INVALID_NUMBER = "invalid_number"
DEFAULT_ALLOWED = "mobile=1[3-9][0-9]{9};landline=0[1-9][0-9]{9,10};local=[2-8][0-9]{6,7}"
DEFAULT_REFUSED = (
    "international=00[0-9]*;toll_free=(400|800)[0-9]*;service=(95|96)[0-9]{3,6}|1[0-2][0-9]{1,4};"
    "premium=(0[1-9][0-9]{1,2})?168[0-9]{3,5}|1900[0-9]{0,6}"
)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True, slots=True)
class DialRule:
    name: str  # stored as the refusal reason (the ``callbacks`` table's close_reason, at most 32 characters)
    pattern: re.Pattern[str]

    def matches(self, number: str) -> bool:
        return self.pattern.fullmatch(number) is not None


@dataclass(frozen=True, slots=True)
class DialPolicy:
    allowed: tuple[DialRule, ...]
    refused: tuple[DialRule, ...]

    def refusal(self, number: str) -> str | None:
        """None when ``number`` (normalised) may be dialled, else why not."""
        for rule in self.refused:
            if rule.matches(number):
                return rule.name
        return None if any(rule.matches(number) for rule in self.allowed) else NOT_DOMESTIC


def parse_rules(text: str) -> tuple[DialRule, ...]:
    """``name=regex;name=regex`` → rules; InvalidInput names the bad one."""
    rules = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, regex = part.partition("=")
        if not sep or not _NAME.match(name.strip()):
            raise InvalidInput(f"a dial rule is name=regex with a lower-case name, got {part!r}", rule=part)
        try:
            rules.append(DialRule(name.strip(), re.compile(regex.strip())))
        except re.error as exc:
            raise InvalidInput(f"dial rule {name.strip()!r}: {exc}", rule=part) from exc
    return tuple(rules)


def dial_policy(allowed: str, refused: str) -> DialPolicy:
    return DialPolicy(parse_rules(allowed), parse_rules(refused))


DOMESTIC = dial_policy(DEFAULT_ALLOWED, DEFAULT_REFUSED)
