"""A city's rules file: the example lists the defaults; overrides apply; bad files are refused at start-up."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from callcenter.config.loading import load
from callcenter.config.rules import load_rules, rules_from
from callcenter.core.errors import ConfigError
from callcenter.ticketing.deadlines import DeadlineRules, RequestType, Urgency, WallClock, WorkingDays
from callcenter.ticketing.orders.record import LifecyclePolicy
from callcenter.ticketing.orders.service import Rules

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "rules.example.toml"


def test_the_example_file_states_exactly_the_defaults() -> None:
    assert load_rules(EXAMPLE) == Rules()


def test_a_city_overrides_what_it_names_and_keeps_the_rest() -> None:
    rules = rules_from(
        {
            "lifecycle": {"max_returns": 2, "max_extension_days": 15},
            "deadlines": {
                "urgency": {"extra_urgent": "2h", "urgent": 2},
                "request_type": {"complaint": 10},
                "close_of_business": "18:00",
                "same_day_cutoff": "12:00",
            },
        }
    )
    assert rules.policy == LifecyclePolicy(max_returns=2, max_extension_days=15)
    d = rules.deadlines
    assert d.urgency_limits[Urgency.EXTRA_URGENT] == WallClock(timedelta(hours=2))
    assert d.urgency_limits[Urgency.URGENT] == WorkingDays(2)
    assert d.urgency_limits[Urgency.NORMAL] == DeadlineRules().urgency_limits[Urgency.NORMAL]
    assert d.request_type_limits[RequestType.COMPLAINT] == WorkingDays(10)
    assert (d.close_of_business, d.same_day_cutoff) == (time(18), time(12))
    assert d.max_extension == WorkingDays(15)  # one cap for the life cycle and the deadline arithmetic


@pytest.mark.parametrize(
    "data",
    [
        {"lifecycle": {"max_retuns": 2}},
        {"deadlines": {"urgency": {"panic": 1}}},
        {"deadlines": {"urgency": {"urgent": "soon"}}},
        {"deadlines": {"urgency": {"urgent": 0}}},
        {"deadlines": {"close_of_business": "25:00"}},
        {"deadlines": {"warning_fraction": 1.5}},
        {"lifecycle": {"max_callback_attempts": 0}},
        {"sla": {}},
    ],
)
def test_a_bad_rules_file_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        rules_from(data)


def test_settings_check_the_rules_file_at_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("[lifecycle]\nmax_returns = -1\n")
    with pytest.raises(ConfigError):
        load(None, {"CALLCENTER_RULES_FILE": str(bad)})
    assert load(None, {"CALLCENTER_RULES_FILE": str(EXAMPLE)}).rules_file == str(EXAMPLE)
