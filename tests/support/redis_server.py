"""A redis-server of a test's own on a free loopback port, so the test may kill and restart it.

Never the machine's Redis on 6379: that one is shared by everything else running on this box. The
server keeps nothing on disk (no RDB, no AOF), so a restart comes back empty, as after losing its data.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from callcenter_sim.phones.ports import free_port_block

HOW_TO_GET = "redis-server is needed (Debian: apt-get install redis-server, or `bash scripts/setup.sh`)"


class OwnRedis:
    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(HOW_TO_GET, pytrace=False)
        self._binary = binary
        self._workdir = workdir
        self.port = free_port_block(1)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, timeout: float = 10.0) -> None:
        self._workdir.mkdir(parents=True, exist_ok=True)
        argv = [self._binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly"]
        argv += ["no", "--dir", str(self._workdir), "--daemonize", "no", "--logfile", "redis.log"]
        self._process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, cwd=self._workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._answers():
                return
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"our redis-server on port {self.port} did not start; see {self._workdir}/redis.log")

    def kill(self) -> None:
        """SIGKILL to our own redis-server (by its PID): no shutdown, no save."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self._process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False
