"""A child process that dies with its parent (Linux ``prctl(PR_SET_PDEATHSIG)``).

The kernel sends the signal when the thread that started the child ends — for a process started from the
main thread (the event loop's), when the parent process dies, even by SIGKILL. So an app killed outright
leaves no worker or test Asterisk behind holding ports and jobs."""

from __future__ import annotations

import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Call in the child before it executes its program (``preexec_fn``); after any uid change, which
    clears the setting."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
