"""The ``[survey]`` table of the rules file: the automated 回访 policy (docs/surveys.md). Every key is
optional (``SurveyPolicy()`` holds the defaults); a bad value is a ConfigError that names the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.ticketing.deadlines import RequestType
from callcenter.ticketing.surveys.policy import Routing, SurveyPolicy, parse_window

INTS = (
    "window_working_days",
    "first_delay_minutes",
    "max_attempts",
    "channels",
    "lease_seconds",
    "on_call_delay_minutes",
)
BOOLS = ("enabled", "on_reply", "on_resolved_on_call", "call_on_days_off")
LISTS = ("request_types", "category_prefixes", "sources", "calling_hours", "retry_gaps_minutes")
ROUTES = ("confidential", "declined")
SOURCES = frozenset({"call", "manual"})


def survey_from(section: Mapping[str, Any]) -> SurveyPolicy:
    if unknown := set(section) - {*INTS, *BOOLS, *LISTS, *ROUTES}:
        raise ConfigError(f"unknown keys in [survey]: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key in INTS:
        if key in section:
            values[key] = _int(section[key], key)
    for key in BOOLS:
        if key in section:
            if not isinstance(section[key], bool):
                raise ConfigError(f"[survey] {key} must be true or false, got {section[key]!r}")
            values[key] = section[key]
    for key in ROUTES:
        if key in section:
            values[key] = _route(section[key], key)
    values.update(_lists(section))
    try:
        return SurveyPolicy(**values)
    except InvalidInput as exc:
        raise ConfigError(f"invalid [survey]: {exc.message}") from exc


def _lists(section: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "request_types" in section:
        known = {t.value for t in RequestType}
        types = _strings(section["request_types"], "request_types")
        if bad := sorted(set(types) - known):
            raise ConfigError(f"[survey] request_types: unknown {bad}; known: {sorted(known)}")
        values["request_types"] = frozenset(types)
    if "category_prefixes" in section:
        values["category_prefixes"] = tuple(_strings(section["category_prefixes"], "category_prefixes"))
    if "sources" in section:
        sources = _strings(section["sources"], "sources")
        if bad := sorted(set(sources) - SOURCES):
            raise ConfigError(f"[survey] sources: unknown {bad}; known: {sorted(SOURCES)}")
        values["sources"] = frozenset(sources)
    if "calling_hours" in section:
        try:
            values["hours"] = tuple(
                parse_window(t) for t in _strings(section["calling_hours"], "calling_hours")
            )
        except InvalidInput as exc:
            raise ConfigError(f"[survey] calling_hours: {exc.message}") from exc
    if "retry_gaps_minutes" in section:
        raw = section["retry_gaps_minutes"]
        if not isinstance(raw, list) or not raw:
            raise ConfigError(
                "[survey] retry_gaps_minutes must be a non-empty list of minutes, e.g. [60, 180]"
            )
        values["retry_gaps_minutes"] = tuple(_int(v, "retry_gaps_minutes") for v in raw)
    return values


def _int(value: object, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(f"[survey] {key} must be a whole number, got {value!r}")
    return value


def _strings(value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[survey] {key} must be a list of strings, got {value!r}")
    return list(value)


def _route(value: object, key: str) -> Routing:
    try:
        return Routing(str(value))
    except ValueError:
        raise ConfigError(f"[survey] {key} must be one of call, manual, skip; got {value!r}") from None
