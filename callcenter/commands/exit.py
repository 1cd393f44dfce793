"""Leaving the process within a bound, whatever threads are left (ADR 0015).

After the app has stopped, Python's own exit waits for every non-daemon thread. A library thread that never
ends — a scripted phone blocked on a BYE to an Asterisk that is already gone, a stuck driver call — would keep
an operator's Ctrl-C from ever returning. ``bounded_exit`` gives such threads a short grace period, then
names them in the log and leaves without them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

log = logging.getLogger(__name__)

EXIT_GRACE_S = 5.0


def bounded_exit(status: int, grace: float = EXIT_GRACE_S) -> int:
    """``status`` once every other non-daemon thread has ended; if some are still running after ``grace``
    seconds, they are logged and the process ends at once with ``status`` (``os._exit``)."""
    deadline = time.monotonic() + grace
    for thread in _others():
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [t.name for t in _others() if t.is_alive()]
    if not left:
        return status
    log.warning("still running %.0f s after the stop: %s; leaving without them", grace, ", ".join(left))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _others() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
