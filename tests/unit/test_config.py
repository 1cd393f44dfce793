"""Settings layers (defaults < file < env < CLI) and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.config.loading import describe, load
from callcenter.core.errors import ConfigError
from callcenter.core.proxies import TrustedProxies
from callcenter.wiring.settings_policies import with_local_secret


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
        ({"CALLCENTER_LOGIN_ATTEMPTS_PER_MINUTE": "0"}, "login_attempts_per_minute"),
        ({"CALLCENTER_LOGIN_BURST": "0"}, "login_burst"),
        ({"CALLCENTER_LOGIN_MAX_FAILURES": "0"}, "login_max_failures"),
        ({"CALLCENTER_LOGIN_LOCKOUT_S": "0"}, "login_lockout_s"),
        ({"CALLCENTER_LOGIN_HASH_SLOTS": "0"}, "login_hash_slots"),
        ({"CALLCENTER_TRUSTED_PROXIES": "10.0.0.1, nginx"}, "trusted_proxies"),
        ({"CALLCENTER_TRUSTED_PROXIES": "10.0.0.0/33"}, "trusted_proxies"),
        ({"CALLCENTER_SSE_STREAMS_PER_SESSION": "0"}, "sse_streams_per_session"),
        ({"CALLCENTER_ATTACHMENT_MAX_FILES": "0"}, "attachment_max_files"),
        ({"CALLCENTER_ATTACHMENT_ORDER_MAX_MB": "5"}, "attachment_order_max_mb"),  # below one file's 10 MB
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


def test_login_settings_become_the_login_policy_and_hash_slots() -> None:
    from callcenter.wiring.settings_policies import login_hash_slots, login_policy

    env = {"CALLCENTER_LOGIN_ATTEMPTS_PER_MINUTE": "20", "CALLCENTER_LOGIN_LOCKOUT_S": "600"}
    settings = load(None, {**env, "CALLCENTER_LOGIN_HASH_SLOTS": "3"})
    policy = login_policy(settings)
    assert (policy.attempts_per_minute, policy.burst, policy.max_failures) == (20.0, 5, 5)
    assert policy.lockout_seconds == 600.0 and login_hash_slots(settings) == 3
    assert login_hash_slots(load(None, {})) >= 2  # -1: two per core


@pytest.mark.parametrize("weak", ["admin-password-2026", "1234567890", "aaaaaaaaaaaa", "woaini1314"])
def test_a_weak_admin_password_is_refused_at_start_up_without_showing_it(weak: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(None, {"CALLCENTER_ADMIN_PASSWORD": weak})
    assert err.value.details["key"] == "admin_password" and weak not in str(err.value)


def test_the_web_doors_settings(tmp_path: Path) -> None:
    """trusted_proxies: none by default; addresses and networks, IPv4 and IPv6 (docs/operations.md)."""
    assert load(None, {}).trusted_proxies == ""
    settings = load(None, {"CALLCENTER_TRUSTED_PROXIES": "127.0.0.1, 172.18.0.0/16, ::1"})
    proxies = TrustedProxies.parse(settings.trusted_proxies)
    assert [proxies.trusts(a) for a in ("127.0.0.1", "172.18.3.4", "::1", "172.19.0.1", "", None)] == [
        True, True, True, False, False, False,
    ]  # fmt: skip
    assert (settings.sse_streams_per_session, settings.attachment_max_files) == (4, 20)
    assert settings.attachment_order_max_mb == 100
    assert describe(settings)["trusted_proxies"] == "127.0.0.1, 172.18.0.0/16, ::1"


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
        ("CALLCENTER_MISSED_CALL_DIAL_ALLOWED", ""),
        ("CALLCENTER_MISSED_CALL_DIAL_REFUSED", "premium=(168"),
    ],
)
def test_unsafe_or_broken_telephony_settings_are_refused(key: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load(None, {key: value})
