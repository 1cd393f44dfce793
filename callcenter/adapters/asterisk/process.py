"""The Asterisk process of one instance: started by us, found again by its pidfile, stopped by PID only."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def spawn(argv: Sequence[str], console_log: Path, setup: Callable[[], None]) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own session (a Ctrl-C aimed at us does not hit it), output to ``console_log``;
    ``setup`` runs in the child before the program (account.become: umask, chroot, uid, parent-death
    signal)."""
    with console_log.open("ab") as out:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=setup,
        )


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def is_our_asterisk(pid: int, config_file: str) -> bool:
    """The PID is a live Asterisk started with our config file (guards against a recycled PID)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    names = [os.fsdecode(part) for part in cmdline]
    return state != "Z" and any(n.endswith("asterisk") for n in names) and config_file in names


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def terminate(pid: int, alive: Callable[[], bool], grace: float) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; only ever the one PID given."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if wait_until(lambda: not alive(), grace):
            return


def ami_banner(port: int, host: str = "127.0.0.1", timeout: float = 1.0) -> str | None:
    """The AMI greeting line (``Asterisk Call Manager/x.y.z``), or None if nothing answers."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            line = conn.makefile("rb").readline(200)
    except OSError:
        return None
    text = line.decode("utf-8", "replace").strip()
    return text if text.startswith("Asterisk Call Manager/") else None


def port_in_use(port: int, kind: int, host: str = "127.0.0.1") -> bool:
    """Someone holds ``port`` on ``host`` (``kind`` is socket.SOCK_STREAM or SOCK_DGRAM).

    SO_REUSEADDR as Asterisk sets it: a closed connection in TIME_WAIT does not block a listener."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


# The reaper: a tiny process that holds the read end of a pipe from us. When we end — even by SIGKILL — the
# pipe closes, and it kills our Asterisk (checked by its command line, so a recycled PID is safe). The
# parent-death signal alone is not enough: Asterisk drops capabilities at start-up, a credential change
# that clears it.
_REAPER = """
import os, signal, sys
sys.stdin.buffer.read()
pid, conf = int(sys.argv[1]), sys.argv[2].encode()
try:
    argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
except OSError:
    sys.exit(0)
if conf in argv:
    os.kill(pid, signal.SIGKILL)
"""


def reaper(pid: int, config_file: str) -> subprocess.Popen[bytes]:
    """Kill Asterisk ``pid`` (started with ``config_file``) once this process ends (or ``release``)."""
    return subprocess.Popen(
        [sys.executable, "-c", _REAPER, str(pid), config_file],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def release(watcher: subprocess.Popen[bytes]) -> None:
    """Let the reaper go (after Asterisk has stopped: it then finds nothing to kill)."""
    if watcher.stdin is not None:
        with contextlib.suppress(OSError):
            watcher.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        watcher.wait(timeout=5.0)
