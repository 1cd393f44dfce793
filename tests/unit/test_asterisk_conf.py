"""asterisk_conf/ is code (issue 11): what no template may contain, read from the files themselves."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from callcenter.adapters.asterisk import (
    AsteriskRuntime,
    InstanceLayout,
    InstanceSettings,
    InvalidInstanceSettings,
)
from callcenter.adapters.asterisk.render import TEMPLATE_DIR, fill, template_values

SHELL = re.compile(r"\b(Try)?System\s*\(|\bSHELL\s*\(", re.IGNORECASE)


def settings_of(name: str) -> list[str]:
    """The lines of a template without comments and blank lines."""
    text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    lines = (line.split(";", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def option(name: str, key: str) -> list[str]:
    return [
        line.split("=", 1)[1].strip() for line in settings_of(name) if line.split("=", 1)[0].strip() == key
    ]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATE_DIR.iterdir()))
def test_no_template_runs_a_shell(template: str) -> None:
    """No System(), TrySystem() or SHELL() anywhere: a context entered through AMI with chosen variables
    must not be able to run a command."""
    found = [line for line in settings_of(template) if SHELL.search(line)]
    assert not found, found


def test_the_shell_modules_are_not_loaded_and_dangerous_functions_stay_in_the_dialplan() -> None:
    assert {"app_system.so", "func_shell.so"} <= set(option("modules.conf", "noload"))
    assert option("asterisk.conf", "live_dangerously") == ["no"]


def test_the_ami_user_has_no_class_that_reaches_a_shell_or_the_configuration() -> None:
    """system (Originate of System(), Reload), command (the CLI) and config (UpdateConfig writes any .conf)
    are each a way to a shell; the bridge needs none of them."""
    (write,) = option("manager.conf", "write")
    assert not {"system", "command", "config", "all"} & {c.strip() for c in write.split(",")}


def rendered(name: str, **overrides: Any) -> str:
    settings = InstanceSettings(
        name="t",
        sip_port=5060,
        ami_port=5038,
        rtp_start=10000,
        rtp_end=10199,
        ami_secret="s" * 16,
        **overrides,
    )
    runtime = AsteriskRuntime("host", Path("/nonexistent"), PurePosixPath("/usr/sbin/asterisk"))
    values = template_values(settings, InstanceLayout(PurePosixPath("/srv/t")), runtime)
    return fill((TEMPLATE_DIR / name).read_text(encoding="utf-8"), values)


def test_ami_and_sip_listen_where_the_deployment_says_and_ami_only_for_one_network() -> None:
    assert "bindaddr = 127.0.0.1\n" in rendered("manager.conf")
    assert "permit = 127.0.0.1/32\n" in rendered("manager.conf")
    backend = rendered("manager.conf", ami_bind="172.30.12.10", ami_permit="172.30.12.0/24")
    assert "bindaddr = 172.30.12.10\n" in backend and "permit = 172.30.12.0/24\n" in backend
    assert "deny = 0.0.0.0/0.0.0.0" in backend  # everything else refused
    sip = rendered("pjsip.conf", sip_bind="0.0.0.0", media_address="203.0.113.5", pstn_match="198.51.100.7")
    assert "bind = 0.0.0.0:5060" in sip and "media_address = 203.0.113.5" in sip
    assert "bind_rtp_to_media_address = no" in sip and "match = 198.51.100.7" in sip


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ami_permit", "0.0.0.0/0"),
        ("ami_permit", "0.0.0.0/0.0.0.0"),
        ("ami_bind", "everywhere"),
        ("sip_bind", ""),
    ],
)
def test_an_ami_open_to_all_or_a_bad_address_is_refused(key: str, value: str) -> None:
    with pytest.raises(InvalidInstanceSettings):
        rendered("manager.conf", **{key: value})
