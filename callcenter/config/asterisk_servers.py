"""The Asterisk servers the hotline bridges to (一个热线，多台 Asterisk): one AMI connection each.

The setting ``asterisk_servers`` is one line of text, so that it travels as a plain environment variable
(``CALLCENTER_ASTERISK_SERVERS``) to child processes exactly like every other setting::

    east=10.0.0.11:5038;secret_env=AMI_SECRET_EAST;queue_log=/mnt/east/queue_log, west=10.0.0.12:5038

Servers are separated by ``,``; each is ``name=host:port`` followed by optional ``;key=value`` options:
``user`` (AMI user, default ``ami_user``), ``secret_env`` (the name of the environment variable holding
that server's AMI secret; default: the shared ``ami_secret``), ``queue_log`` (where this host reads
that server's queue_log, for the service-level catch-up) and ``recordings`` (that server's recordings
directory as it names it in AMI events; default: the ``recordings_dir`` setting). A TOML file may give
the same list as tables (``[[callcenter.asterisk_servers]]`` with keys name, host, ami_port,
ami_user, secret_env, queue_log, recordings); it is turned into this text when the file is read. Secrets
never appear here: only the *names* of the variables that hold them.

Empty (the default): the one local instance described by ``asterisk_name``, ``ami_host``, ``ami_port``,
``ami_user`` and ``ami_secret``, as in the embedded single-box setup.

Pure: no I/O. Reading the secret variables happens at start-up, in the AMI adapter (bridges.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from callcenter.core.errors import ConfigError

if TYPE_CHECKING:
    from callcenter.config.settings import Settings

KEY = "asterisk_servers"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")  # also Asterisk's systemname: call ids stay unique
_HOST = re.compile(r"^[A-Za-z0-9._:\[\]-]{1,253}$")
_USER = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
_OPTIONS = ("user", "secret_env", "queue_log", "recordings")
_TOML_KEYS = frozenset({"name", "host", "ami_port", "ami_user", "secret_env", "queue_log", "recordings"})


@dataclass(frozen=True, slots=True)
class AsteriskServer:
    """One Asterisk as the bridge sees it. ``secret_env`` empty: the shared ``ami_secret``."""

    name: str
    host: str
    ami_port: int
    ami_user: str
    secret_env: str = ""
    queue_log: str = ""  # "" : no catch-up from queue_log unless it is the local instance
    recordings: str = ""  # "" : the ``recordings_dir`` setting (recording paths outside it are refused)


def asterisk_servers(settings: Settings) -> tuple[AsteriskServer, ...]:
    """The configured servers, validated; the local instance when the list is empty."""
    if not settings.asterisk_servers.strip():
        return (_local(settings),)
    servers = tuple(
        parse_server(part, settings.ami_user) for part in settings.asterisk_servers.split(",") if part.strip()
    )
    _check_unique(servers)
    return servers


def _local(settings: Settings) -> AsteriskServer:
    return AsteriskServer(
        settings.asterisk_name,
        settings.ami_host,
        settings.ami_port,
        settings.ami_user,
        "",
        settings.sl_queue_log,
    )


def parse_server(text: str, default_user: str) -> AsteriskServer:
    """``name=host:port[;user=…][;secret_env=…][;queue_log=…]`` → a server; ConfigError naming the fault."""
    head, *options = (piece.strip() for piece in text.strip().split(";"))
    name, sep, address = head.partition("=")
    host, colon, port = address.strip().rpartition(":")
    if not sep or not colon:
        _fail(f"{text.strip()!r} is not name=host:port")
    values = _options(options, text)
    return _server(
        name.strip(), host, port, values.get("user", default_user), values.get("secret_env", ""), values
    )


def _options(options: Sequence[str], text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or key.strip() not in _OPTIONS or key.strip() in values:
            _fail(f"{text.strip()!r}: option {option!r} is not one of {', '.join(_OPTIONS)} (once each)")
        values[key.strip()] = value.strip()
    return values


def _server(
    name: str, host: str, port: str, user: str, secret_env: str, values: Mapping[str, str]
) -> AsteriskServer:
    if not _NAME.match(name):
        _fail(f"server name {name!r} must be lower-case letters, digits and '-' (max 32)")
    if not _HOST.match(host):
        _fail(f"server {name}: host {host!r} is not a host name or address")
    if not port.isdigit() or not 0 < int(port) < 65536:
        _fail(f"server {name}: AMI port {port!r} is not a port number")
    if not _USER.match(user):
        _fail(f"server {name}: AMI user {user!r} must be a plain identifier")
    if secret_env and not _ENV.match(secret_env):
        _fail(f"server {name}: secret_env {secret_env!r} must be an environment variable name")
    queue_log = values.get("queue_log", "")
    recordings = values.get("recordings", "")
    if recordings and not recordings.startswith("/"):
        _fail(f"server {name}: recordings {recordings!r} must be an absolute path")
    return AsteriskServer(name, host, int(port), user, secret_env, queue_log, recordings)


def _check_unique(servers: Sequence[AsteriskServer]) -> None:
    names = [s.name for s in servers]
    if len(set(names)) != len(names):
        _fail(f"server names must be unique, got {', '.join(names)}")
    addresses = [(s.host, s.ami_port) for s in servers]
    if len(set(addresses)) != len(addresses):
        _fail("two servers have the same host and AMI port")


def from_toml(tables: Any) -> str:
    """``[[callcenter.asterisk_servers]]`` tables → the setting's text form (validated when loaded)."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        _fail("asterisk_servers in a TOML file must be an array of tables")
    return ", ".join(_toml_server(table) for table in tables)


def _toml_server(table: Mapping[str, Any]) -> str:
    unknown = set(table) - _TOML_KEYS
    if unknown or not {"name", "host", "ami_port"} <= set(table):
        _fail(
            "a server table needs name, host, ami_port (optional ami_user, secret_env, queue_log, "
            f"recordings): {table}"
        )
    text = f"{table['name']}={table['host']}:{table['ami_port']}"
    options = (("ami_user", "user"), ("secret_env", "secret_env"), ("queue_log", "queue_log"))
    for key, option in (*options, ("recordings", "recordings")):
        if key in table:
            value = str(table[key])
            if any(c in value for c in ",;"):
                _fail(f"server {table['name']}: {key} must not contain ',' or ';'")
            text += f";{option}={value}"
    return text


def _fail(message: str) -> NoReturn:
    raise ConfigError(message, key=KEY)
