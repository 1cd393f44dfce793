"""A stopped service leaves within a bound even when a thread never ends (commands/exit.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

STUCK = """
import logging, threading, time
from callcenter.commands.exit import bounded_exit
logging.basicConfig()
threading.Thread(target=time.sleep, args=(600,), name="phone-agent1001").start()
raise SystemExit(bounded_exit(3, grace=0.5))
"""

DONE = """
import threading, time
from callcenter.commands.exit import bounded_exit
threading.Thread(target=time.sleep, args=(0.2,), name="short").start()
raise SystemExit(bounded_exit(0, grace=5))
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_thread_that_never_ends_is_named_and_left_behind() -> None:
    done = run(STUCK)
    assert done.returncode == 3
    assert "phone-agent1001" in done.stderr and "leaving without them" in done.stderr


def test_threads_that_end_in_time_are_waited_for() -> None:
    done = run(DONE)
    assert done.returncode == 0 and "leaving" not in done.stderr
