"""Renamed settings (issue 12): the missed-call settings were ``callback_*`` (and ``sl_callback_keys``). For
one release the old names still work in the TOML file, the environment and on the command line, each with
one warning naming the new name and never the value; old and new set to different values is refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from callcenter.config.loading import describe, load
from callcenter.config.settings import DEPRECATED_NAMES, Settings
from callcenter.core.errors import ConfigError

LOADER = "callcenter.config.loading"
SECRET_LOOKING = "hotline-vip-7731"  # a value that must never show up in a log line


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOADER and r.levelno == logging.WARNING]


def test_every_old_name_points_at_a_setting_and_none_is_a_setting_itself() -> None:
    current = set(Settings.__dataclass_fields__)
    assert set(DEPRECATED_NAMES.values()) <= current
    assert not set(DEPRECATED_NAMES) & current
    assert all(old.startswith(("callback_", "sl_callback_")) for old in DEPRECATED_NAMES)


def test_an_old_name_in_the_environment_sets_the_new_setting_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, LOADER)
    settings = load(None, {"CALLCENTER_CALLBACK_QUEUE": SECRET_LOOKING, "CALLCENTER_CALLBACK_RING_S": "20"})
    assert settings.missed_call_queue == SECRET_LOOKING and settings.missed_call_ring_s == 20
    messages = warnings_of(caplog)
    assert len(messages) == 2
    assert any("CALLCENTER_CALLBACK_QUEUE" in m and "CALLCENTER_MISSED_CALL_QUEUE" in m for m in messages)
    assert all(SECRET_LOOKING not in m and "20" not in m for m in messages)
    assert "callback_queue" not in describe(settings)  # check-config shows the new names only


def test_an_old_name_in_the_toml_file_sets_the_new_setting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, LOADER)
    file = tmp_path / "cc.toml"
    file.write_text('[callcenter]\ncallback_enabled = 0\nsl_callback_keys = "1,2"\n')
    settings = load(file, {})
    assert settings.missed_call_enabled == 0 and settings.sl_call_me_back_keys == "1,2"
    messages = warnings_of(caplog)
    assert len(messages) == 2
    assert any("sl_callback_keys" in m and "sl_call_me_back_keys" in m for m in messages)
    assert all('"1,2"' not in m and "1,2" not in m for m in messages)


def test_an_old_name_on_the_command_line_sets_the_new_setting(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, LOADER)
    settings = load(None, {}, callback_max_attempts=5)
    assert settings.missed_call_max_attempts == 5
    (message,) = warnings_of(caplog)
    assert "callback_max_attempts" in message and "missed_call_max_attempts" in message and "5" not in message


def test_the_new_name_needs_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, LOADER)
    assert load(None, {"CALLCENTER_MISSED_CALL_QUEUE": "q2"}).missed_call_queue == "q2"
    assert warnings_of(caplog) == []


def test_old_and_new_with_the_same_value_are_accepted() -> None:
    env = {"CALLCENTER_CALLBACK_MAX_PARALLEL": "4", "CALLCENTER_MISSED_CALL_MAX_PARALLEL": "4"}
    assert load(None, env).missed_call_max_parallel == 4
    assert load(None, {}, callback_ring_s="25", missed_call_ring_s=25).missed_call_ring_s == 25


@pytest.mark.parametrize(
    "layer",
    ["env", "file", "cli"],
)
def test_old_and_new_with_different_values_are_refused_without_showing_them(
    layer: str, tmp_path: Path
) -> None:
    file = tmp_path / "cc.toml"
    file.write_text(f'[callcenter]\ncallback_trunk = "{SECRET_LOOKING}"\nmissed_call_trunk = "pstn-b"\n')
    with pytest.raises(ConfigError) as err:
        if layer == "env":
            load(
                None, {"CALLCENTER_CALLBACK_TRUNK": SECRET_LOOKING, "CALLCENTER_MISSED_CALL_TRUNK": "pstn-b"}
            )
        elif layer == "file":
            load(file, {})
        else:
            load(None, {}, callback_trunk=SECRET_LOOKING, missed_call_trunk="pstn-b")
    assert err.value.details["key"] == "missed_call_trunk"
    assert SECRET_LOOKING not in err.value.message and "pstn-b" not in err.value.message


def test_layers_keep_their_order_across_old_and_new_names(tmp_path: Path) -> None:
    """A higher layer wins whichever name it uses: the environment's old name over the file's new one."""
    file = tmp_path / "cc.toml"
    file.write_text('[callcenter]\nmissed_call_queue = "from-file"\n')
    assert load(file, {"CALLCENTER_CALLBACK_QUEUE": "from-env"}).missed_call_queue == "from-env"
    assert load(file, {}, callback_queue="from-cli").missed_call_queue == "from-cli"


def test_an_old_name_is_validated_as_the_new_one() -> None:
    with pytest.raises(ConfigError) as err:
        load(None, {"CALLCENTER_CALLBACK_MAX_ATTEMPTS": "0"})
    assert err.value.details["key"] == "missed_call_max_attempts"
