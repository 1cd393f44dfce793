"""Free loopback ports for simulated phones, so many phones and test runs never collide."""

from __future__ import annotations

import random
import socket

_LOW, _HIGH = 40000, 59000  # below Linux's default ephemeral range (32768-60999 overlaps; we probe anyway)


def free_port_block(size: int, attempts: int = 200) -> int:
    """The first port of ``size`` consecutive even-aligned ports free for UDP and TCP on 127.0.0.1."""
    for _ in range(attempts):
        first = random.randrange(_LOW, _HIGH - size) & ~1
        if all(_free(port) for port in range(first, first + size)):
            return first
    raise OSError(f"no block of {size} free ports on 127.0.0.1")


def _free(port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True
