"""Pytest plugin for tests against a real Asterisk 22 (the lead lists it in ``pytest_plugins``).

* ``asterisk`` (session): a fresh instance on its own free ports, started once, stopped at the end. A missing
  runtime FAILS the tests (never skips them) with the way to get it: ``bash scripts/setup.sh``.
* ``ami`` (function): a raw-socket AMI login as the bridge's least-privilege user; ``ami_login`` makes more.
* :class:`AmiSession`: keeps every byte Asterisk sent (fixtures are made from it) and parses messages.
  Deliberately not the bridge's panoramisk client: the fixtures must be the bytes exactly as they came off
  the socket, and these tests must not depend on the code the fixtures test.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from callcenter.adapters.asterisk import (
    AsteriskInstance,
    AsteriskNotInstalled,
    AsteriskRuntime,
    InstanceSettings,
    locate_runtime,
)
from callcenter_sim.phones.ports import free_port_block

RTP_PORTS = 200

BANNER_PREFIX = b"Asterisk Call Manager/"
Message = Mapping[str, str]  # header names lower-cased; a repeated header keeps its last value


def parse_message(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    return headers


class AmiSession:
    """One AMI login. ``raw`` is the byte stream as received, banner included."""

    def __init__(
        self, port: int, user: str, secret: str, host: str = "127.0.0.1", events: bool = True
    ) -> None:
        self._address = (host, port)
        self._user, self._secret = user, secret
        self._events = events
        self._sock: socket.socket | None = None
        self._raw = bytearray()
        self._buffer = b""
        self._messages: list[dict[str, str]] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._reader: threading.Thread | None = None
        self.banner = ""

    def __enter__(self) -> AmiSession:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- connection ---------------------------------------------------------------------------------------

    def connect(self, timeout: float = 5.0) -> None:
        self._sock = socket.create_connection(self._address, timeout=timeout)
        self._sock.settimeout(0.2)
        self._reader = threading.Thread(target=self._read_loop, name="ami-reader", daemon=True)
        self._reader.start()
        response = self.action(
            "Login", Username=self._user, Secret=self._secret, Events="on" if self._events else "off"
        )
        if response.get("response") != "Success":
            raise ConnectionError(f"AMI login failed: {response}")

    def close(self) -> None:
        if self._sock is None:
            return
        with contextlib.suppress(OSError, TimeoutError):
            self.action("Logoff", timeout=2.0)
        sock, self._sock = self._sock, None
        if self._reader is not None:
            self._reader.join(timeout=2.0)
        sock.close()

    @property
    def raw(self) -> bytes:
        with self._cond:
            return bytes(self._raw)

    # --- actions and events ---------------------------------------------------------------------------------

    def send(self, action: str, **headers: str) -> str:
        """Send an action; returns its ActionID."""
        action_id = f"t{next(self._ids)}"
        lines = [f"Action: {action}", f"ActionID: {action_id}", *(f"{k}: {v}" for k, v in headers.items())]
        assert self._sock is not None, "not connected"
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return action_id

    def action(self, action: str, timeout: float = 5.0, **headers: str) -> dict[str, str]:
        """Send an action and wait for its Response."""
        action_id = self.send(action, **headers)
        return self.wait_for(lambda m: m.get("actionid") == action_id and "response" in m, timeout)

    def action_list(self, action: str, timeout: float = 5.0, **headers: str) -> list[dict[str, str]]:
        """An action answered by a list: its Response, the events, and the final ``...Complete`` event."""
        action_id = self.send(action, **headers)
        self.wait_for(lambda m: m.get("actionid") == action_id and m.get("eventlist") == "Complete", timeout)
        return [m for m in self.messages() if m.get("actionid") == action_id]

    def wait_for(
        self,
        predicate: Callable[[dict[str, str]], bool],
        timeout: float,
        after: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """The first message so far (or arriving within ``timeout``) that matches, and comes after the message
        ``after`` if given; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                start = next((i + 1 for i, m in enumerate(self._messages) if m is after), 0) if after else 0
                for message in self._messages[start:]:
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no matching AMI message")
                self._cond.wait(remaining)

    def wait_event(
        self, name: str, timeout: float, after: Mapping[str, str] | None = None, **match: str
    ) -> dict[str, str]:
        """The first event ``name`` whose headers include ``match`` (header names lower-case)."""
        return self.wait_for(
            lambda m: m.get("event") == name and all(m.get(k) == v for k, v in match.items()), timeout, after
        )

    def messages(self) -> list[dict[str, str]]:
        with self._cond:
            return list(self._messages)

    def events(self, name: str | None = None) -> list[dict[str, str]]:
        return [m for m in self.messages() if "event" in m and (name is None or m["event"] == name)]

    # --- reader thread --------------------------------------------------------------------------------------

    def _read_loop(self) -> None:
        while self._sock is not None:
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            self._take(chunk)

    def _take(self, chunk: bytes) -> None:
        with self._cond:
            self._raw.extend(chunk)
            self._buffer += chunk
            if not self.banner and b"\r\n" in self._buffer and self._buffer.startswith(BANNER_PREFIX):
                line, self._buffer = self._buffer.split(b"\r\n", 1)
                self.banner = line.decode()
            *blocks, self._buffer = self._buffer.split(b"\r\n\r\n")
            self._messages.extend(parse_message(block) for block in blocks if block.strip())
            self._cond.notify_all()


def throwaway_settings(suffix: str = "") -> InstanceSettings:
    """A throw-away instance: free ports, random secrets, no wrap-up time, named after this process
    (``suffix`` tells a second instance of the same session apart)."""
    sip, ami, rtp = free_port_block(1), free_port_block(1), free_port_block(RTP_PORTS)
    return InstanceSettings(
        name=f"test-{os.getpid()}{suffix}",
        sip_port=sip,
        ami_port=ami,
        rtp_start=rtp,
        rtp_end=rtp + RTP_PORTS - 1,
        ami_secret=secrets.token_hex(12),
        wrapup_time=0,
        agi_port=free_port_block(1),  # the hotline fixture serves FastAGI here (tests/support/hotline.py)
        pstn_outbound_uri=f"sip:127.0.0.1:{free_port_block(1)}",  # the test citizen phone (call-backs)
    )


def _overlap(a: InstanceSettings, b: InstanceSettings) -> bool:
    ports_a = {a.sip_port, a.ami_port, *range(a.rtp_start, a.rtp_end + 1)}
    return bool(ports_a & {b.sip_port, b.ami_port, *range(b.rtp_start, b.rtp_end + 1)})


def _runtime_or_fail() -> AsteriskRuntime:
    """Tests that need Asterisk FAIL without it (a skipped telephony test would hide a broken setup)."""
    problem = ""
    try:
        return locate_runtime()
    except AsteriskNotInstalled as exc:
        problem = str(exc)
    pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def asterisk() -> Iterator[AsteriskInstance]:
    """A running Asterisk for the whole test session; its directory is removed afterwards."""
    yield from _session_instance("")


@pytest.fixture(scope="session")
def asterisk_b(asterisk: AsteriskInstance) -> Iterator[AsteriskInstance]:
    """A second Asterisk (several-server tests): other free ports, its own name (``…-b``) and secrets."""
    yield from _session_instance("-b", avoid=asterisk.settings)


def _session_instance(suffix: str, avoid: InstanceSettings | None = None) -> Iterator[AsteriskInstance]:
    runtime = _runtime_or_fail()
    settings = throwaway_settings(suffix)
    while avoid is not None and _overlap(settings, avoid):  # RTP ports are only bound during calls
        settings = throwaway_settings(suffix)
    if avoid is not None:  # one FastAGI service (the app's) for every box, as in production
        settings = dataclasses.replace(settings, agi_port=avoid.agi_port)
    instance = AsteriskInstance(settings, runtime)
    shutil.rmtree(instance.instance_dir, ignore_errors=True)
    instance.start(timeout=60.0, die_with_parent=True)
    try:
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(instance.instance_dir, ignore_errors=True)


@pytest.fixture
def ami_login(asterisk: AsteriskInstance) -> Iterator[Callable[..., AmiSession]]:
    """Factory for further AMI sessions as the bridge's user, e.g. ``ami_login(events=False)``."""
    sessions: list[AmiSession] = []

    def login(events: bool = True) -> AmiSession:
        settings = asterisk.settings
        session = AmiSession(settings.ami_port, settings.ami_user, settings.ami_secret, events=events)
        session.connect()
        sessions.append(session)
        return session

    yield login
    for session in sessions:
        session.close()


@pytest.fixture
def ami(asterisk: AsteriskInstance, tmp_path: Path) -> Iterator[AmiSession]:
    """An AMI session as the bridge's user; agents it logged in are logged out again afterwards.

    The raw stream is kept as ``<tmp_path>/ami.raw`` for post-mortems of a failed test."""
    settings = asterisk.settings
    with AmiSession(settings.ami_port, settings.ami_user, settings.ami_secret) as session:
        yield session
        (tmp_path / "ami.raw").write_bytes(session.raw)
        for agent in settings.agents:
            session.action("QueueRemove", Queue="hotline", Interface=f"PJSIP/{agent}")
