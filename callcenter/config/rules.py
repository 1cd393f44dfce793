"""A city's work-order rules from a TOML file (``CALLCENTER_RULES_FILE``): time limits, cut-off hour,
warning point, return / extension / callback limits, the automated 回访 policy
(``[survey]``). Anything left out keeps its default
(``DeadlineRules()``, ``LifecyclePolicy()``); ``deploy/rules.example.toml`` lists every key."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from callcenter.config.survey_rules import survey_from
from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.ticketing.deadlines import (
    DeadlineRules,
    RequestType,
    TimeLimit,
    Urgency,
    WallClock,
    WorkingDays,
)
from callcenter.ticketing.orders.record import LifecyclePolicy
from callcenter.ticketing.orders.service import Rules

_WALL_CLOCK = re.compile(r"^\s*(\d+)\s*(min|h)\s*$")
_LIFECYCLE_KEYS = ("max_returns", "max_extension_days", "max_callback_attempts")


def load_rules(path: Path) -> Rules:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read rules file {path}: {exc}", file=str(path)) from exc
    return rules_from(data)


def rules_from(data: Mapping[str, Any]) -> Rules:
    unknown = set(data) - {"lifecycle", "deadlines", "survey"}
    if unknown:
        raise ConfigError(f"unknown sections in the rules file: {sorted(unknown)}")
    try:
        policy = lifecycle_from(data.get("lifecycle", {}))
        deadlines = deadlines_from(data.get("deadlines", {}), policy)
    except (InvalidInput, TypeError, ValueError) as exc:
        raise ConfigError(f"invalid rules file: {exc}") from exc
    return Rules(deadlines=deadlines, policy=policy, survey=survey_from(data.get("survey", {})))


def lifecycle_from(section: Mapping[str, Any]) -> LifecyclePolicy:
    _only(section, _LIFECYCLE_KEYS, "lifecycle")
    return replace(LifecyclePolicy(), **{k: int(v) for k, v in section.items()})


def deadlines_from(section: Mapping[str, Any], policy: LifecyclePolicy) -> DeadlineRules:
    keys = ("urgency", "request_type", "close_of_business", "contact_within_minutes", "warning_fraction",
            "warning_working_days_before", "same_day_cutoff")  # fmt: skip
    _only(section, keys, "deadlines")
    base = DeadlineRules()
    urgency = {
        **base.urgency_limits,
        **{Urgency(k): limit_of(v) for k, v in section.get("urgency", {}).items()},
    }
    by_type = {RequestType(k): WorkingDays(int(v)) for k, v in section.get("request_type", {}).items()}
    cutoff = section.get("same_day_cutoff", "")
    return DeadlineRules(
        urgency_limits=urgency,
        request_type_limits={**base.request_type_limits, **by_type},
        contact_within=timedelta(minutes=int(section.get("contact_within_minutes", 60))),
        close_of_business=time.fromisoformat(section.get("close_of_business", "17:30")),
        same_day_cutoff=time.fromisoformat(cutoff) if cutoff else None,
        warning_fraction=float(section.get("warning_fraction", base.warning_fraction)),
        warning_working_days_before=int(
            section.get("warning_working_days_before", base.warning_working_days_before)
        ),
        max_extension=WorkingDays(policy.max_extension_days),  # one cap for the life cycle and deadlines
    )


def limit_of(value: object) -> TimeLimit:
    """A number is working days; ``"30min"`` or ``"2h"`` runs round the clock."""
    if isinstance(value, int) and not isinstance(value, bool):
        return WorkingDays(value)
    match = _WALL_CLOCK.match(str(value))
    if match is None:
        raise ValueError(f"a time limit is a number of working days, or like '30min' or '2h': {value!r}")
    amount, unit = int(match.group(1)), match.group(2)
    return WallClock(timedelta(minutes=amount) if unit == "min" else timedelta(hours=amount))


def _only(section: Mapping[str, Any], keys: tuple[str, ...], name: str) -> None:
    if unknown := set(section) - set(keys):
        raise ConfigError(f"unknown keys in [{name}]: {sorted(unknown)}")
