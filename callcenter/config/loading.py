"""Loading the settings: defaults < TOML file < env < CLI, then validated; and their description for
``check-config`` (secrets hidden)."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from callcenter.config.asterisk_servers import from_toml
from callcenter.config.settings import ENV_PREFIX, PLAIN_ENV, Settings
from callcenter.config.validation import validate
from callcenter.core.errors import ConfigError

# Secrets generated locally when not given (wiring/settings_policies.py).
LOCAL_SECRETS = ("ami_secret", "admin_password")


def load(file: Path | None = None, env: Mapping[str, str] | None = None, **cli: Any) -> Settings:
    """Build settings from the layers; raises ConfigError naming the bad key."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if file is not None:
        values.update(_from_file(file))
    values.update(_from_env(env))
    values.update({k: v for k, v in cli.items() if v is not None})
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


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    names = {f.name for f in fields(Settings)}
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
