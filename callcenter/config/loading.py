"""Loading the settings: defaults < TOML file < env < CLI, then validated; and their description for
``check-config`` (secrets hidden)."""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from callcenter.config.asterisk_servers import from_toml
from callcenter.config.settings import DEPRECATED_NAMES, ENV_PREFIX, PLAIN_ENV, Settings
from callcenter.config.validation import validate
from callcenter.core.errors import ConfigError

log = logging.getLogger(__name__)

# Secrets generated locally when not given (wiring/settings_policies.py).
LOCAL_SECRETS = ("ami_secret", "admin_password")


def load(file: Path | None = None, env: Mapping[str, str] | None = None, **cli: Any) -> Settings:
    """Build settings from the layers; raises ConfigError naming the bad key."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if file is not None:
        values.update(_renamed(_from_file(file), lambda name: f"{name} in [callcenter] of {file}"))
    values.update(_renamed(_from_env(env), lambda name: ENV_PREFIX + name.upper()))
    values.update(
        _renamed({k: v for k, v in cli.items() if v is not None}, lambda name: f"{name} (command line)")
    )
    settings = _coerce(values)
    validate(settings)
    return settings


def _from_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            values = dict(tomllib.load(fh).get("callcenter", {}))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}", file=str(path)) from exc
    if not isinstance(values.get("asterisk_servers", ""), str):  # [[callcenter.asterisk_servers]] tables
        values["asterisk_servers"] = from_toml(values["asterisk_servers"])
    return values


def _renamed(values: Mapping[str, Any], shown: Callable[[str], str]) -> dict[str, Any]:
    """One layer's values with the deprecated names (settings.DEPRECATED_NAMES) read as the new ones; one
    warning per old name, naming the new one (never the value, which may be personal or secret). Old and
    new both set in this layer to different values: ConfigError."""
    out = dict(values)
    for old, new in DEPRECATED_NAMES.items():
        if old not in out:
            continue
        value = out.pop(old)
        if new in out and _same_kind(new, out[new]) != _same_kind(new, value):
            raise ConfigError(
                f"{shown(old)} is the deprecated name of {shown(new)}; they differ: set only the new one",
                key=new,
            )
        log.warning(
            "setting %s is deprecated and will be removed in the next release: use %s", shown(old), shown(new)
        )
        out.setdefault(new, value)
    return out


def _same_kind(key: str, raw: Any) -> Any:
    """``raw`` converted as setting ``key`` (so ``"1"`` and ``1`` compare equal)."""
    return _convert(key, raw, type(getattr(Settings(), key)))


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    names = {f.name for f in fields(Settings)} | set(DEPRECATED_NAMES)
    out: dict[str, Any] = {}
    for key, value in env.items():
        if key in PLAIN_ENV:
            out[PLAIN_ENV[key]] = value
        elif key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in names:
            out[key[len(ENV_PREFIX) :].lower()] = value
    return out


def _coerce(values: Mapping[str, Any]) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    kwargs: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in known:
            raise ConfigError(f"unknown setting {key!r}", key=key)
        kwargs[key] = _convert(key, raw, type(getattr(Settings(), key)))
    return Settings(**kwargs)


def _convert(key: str, raw: Any, kind: type) -> Any:
    try:
        if issubclass(kind, Path):
            return Path(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {key!r} must be {kind.__name__}, got {raw!r}", key=key) from exc


def describe(settings: Settings) -> dict[str, str]:
    """Settings for ``check-config``, with secrets hidden."""
    shown = {f.name: str(getattr(settings, f.name)) for f in fields(Settings)}
    for name in LOCAL_SECRETS:
        shown[name] = "***" if getattr(settings, name) else "(generated locally)"
    shown["database_url"] = hide_password(settings.effective_database_url)
    shown["redis_url"] = hide_password(settings.redis_url)  # redis://:<password>@… in containers
    return shown


def hide_password(url: str) -> str:
    """``scheme://user:password@host…`` with the password replaced by ``***`` (for output and logs)."""
    return _URL_PASSWORD.sub(r"\1***@", url)


_URL_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)
