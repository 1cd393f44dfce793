"""Settings layers (defaults < file < env < CLI) and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.config import describe, load, with_local_secret
from callcenter.core.errors import ConfigError


def test_layers_override_in_order(tmp_path: Path) -> None:
    file = tmp_path / "cc.toml"
    file.write_text('[callcenter]\nhttp_port = 9000\nasr_engine = "whisper"\nami_port = 6000\n')
    env = {"CALLCENTER_HTTP_PORT": "9100", "REDIS_URL": "redis://127.0.0.1:6380/1"}
    settings = load(file, env, http_port=9200)
    assert settings.http_port == 9200
    assert settings.ami_port == 6000
    assert settings.asr_engine == "whisper"
    assert settings.redis_url == "redis://127.0.0.1:6380/1"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"CALLCENTER_HTTP_PORT": "eighty"}, "http_port"),
        ({"ASR_ENGINE": "sphinx"}, "asr_engine"),
        ({"CALLCENTER_SIP_PORT": "70000"}, "sip_port"),
        ({"CALLCENTER_RTP_START": "20000", "CALLCENTER_RTP_END": "10000"}, "rtp_end"),
    ],
)
def test_bad_values_name_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(None, env)
    assert err.value.details["key"] == key


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "cc.toml"
    file.write_text("[callcenter]\nhtp_port = 1\n")
    with pytest.raises(ConfigError, match="htp_port"):
        load(file, {})


def test_local_secret_is_generated_once_and_hidden(tmp_path: Path) -> None:
    settings = with_local_secret(load(None, {}, data_dir=str(tmp_path)))
    again = with_local_secret(load(None, {}, data_dir=str(tmp_path)))
    assert settings.ami_secret and settings.ami_secret == again.ami_secret
    assert describe(settings)["ami_secret"] == "***"
    assert settings.ami_secret not in repr(settings)


def test_passwords_in_urls_are_hidden_by_check_config() -> None:
    settings = load(
        None,
        {
            "REDIS_URL": "redis://:s3cret-redis@redis:6379/0",
            "DATABASE_URL": "postgresql+asyncpg://callcenter:s3cret-pg@postgres:5432/callcenter",
        },
    )
    shown = describe(settings)
    assert shown["redis_url"] == "redis://:***@redis:6379/0"
    assert shown["database_url"] == "postgresql+asyncpg://callcenter:***@postgres:5432/callcenter"
    assert "s3cret" not in str(shown)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CALLCENTER_AMI_PERMIT", "0.0.0.0/0"),  # AMI open to everyone (issue 11)
        ("CALLCENTER_AMI_PERMIT", "everyone"),
        ("CALLCENTER_AMI_BIND", "asterisk.local"),
        ("CALLCENTER_SEATS", "agent1001,agent1001"),
        ("CALLCENTER_CALLBACK_DIAL_ALLOWED", ""),
        ("CALLCENTER_CALLBACK_DIAL_REFUSED", "premium=(168"),
    ],
)
def test_unsafe_or_broken_telephony_settings_are_refused(key: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load(None, {key: value})
