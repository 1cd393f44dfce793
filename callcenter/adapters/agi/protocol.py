"""The FastAGI wire protocol (Asterisk Gateway Interface over TCP), pure parsing and formatting.

Asterisk opens a TCP connection for ``AGI(agi://host:port/script,arg1,…)`` and sends ``agi_<name>: value``
lines ending with an empty line; the server then sends one command per line and reads one result line
(``200 result=1 (value)``) per command, and closes the connection when done — the dialplan continues.
Text is UTF-8 both ways (channel variables may hold Chinese).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from callcenter.core.errors import DomainError

MAX_HEADER_BYTES = 16 * 1024  # a request's environment is ~1 KB; anything far bigger is not Asterisk
_RESULT = re.compile(r"^(?P<code>\d{3})(?:[ -](?P<rest>.*))?$")
_VALUE = re.compile(r"^result=(?P<result>-?\d*)(?: \((?P<data>.*)\))?")


class AgiProtocolError(DomainError):
    code = "agi_protocol_error"


class AgiHangup(DomainError):
    """The channel hung up while the script was running."""

    code = "agi_hangup"


@dataclass(frozen=True, slots=True)
class AgiRequest:
    """One FastAGI request: the script path (``agi_network_script``), its arguments and environment."""

    script: str
    args: tuple[str, ...]
    env: dict[str, str]

    @property
    def uniqueid(self) -> str:
        return self.env.get("agi_uniqueid", "")

    @property
    def caller_number(self) -> str:
        return self.env.get("agi_callerid", "")


@dataclass(frozen=True, slots=True)
class AgiResult:
    code: int
    result: str
    data: str

    @property
    def ok(self) -> bool:
        return self.code == 200 and self.result != "-1"


def parse_environment(block: bytes) -> AgiRequest:
    """The request from the header block (without the terminating empty line)."""
    env: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(": ")
        if sep and key.startswith("agi_"):
            env[key] = value
    if "agi_request" not in env:
        raise AgiProtocolError("not an AGI request (no agi_request header)")
    script = env.get("agi_network_script", "").split("?", 1)[0].strip("/")
    args = tuple(env[f"agi_arg_{n}"] for n in range(1, len(env) + 1) if f"agi_arg_{n}" in env)
    return AgiRequest(unquote(script), args, env)


def parse_result(line: str) -> AgiResult:
    """One result line: ``200 result=1 (value)``; ``HANGUP`` raises AgiHangup."""
    line = line.rstrip("\r\n")
    if line.startswith("HANGUP"):
        raise AgiHangup("the channel hung up")
    match = _RESULT.match(line)
    if match is None:
        raise AgiProtocolError(f"bad AGI result line {line!r}")
    rest = match.group("rest") or ""
    value = _VALUE.match(rest)
    if value is None:
        return AgiResult(int(match.group("code")), "", rest)
    return AgiResult(int(match.group("code")), value.group("result"), value.group("data") or "")


def quote(value: str) -> str:
    """An AGI command argument in double quotes (the parser of res_agi splits on spaces otherwise)."""
    if any(c in value for c in "\r\n"):
        raise AgiProtocolError("an AGI argument cannot span lines")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
