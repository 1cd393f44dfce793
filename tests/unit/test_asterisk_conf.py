"""asterisk_conf/ is code (issue 11): what no template may contain, read from the files themselves."""

from __future__ import annotations

import re

import pytest

from callcenter.adapters.asterisk.render import TEMPLATE_DIR

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
