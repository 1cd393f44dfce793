"""Every test has a time limit (pytest-timeout; ``timeout`` in pyproject.toml, ``@pytest.mark.timeout(N)``
for the few slower ones), and a test that runs over it FAILS with the stack of every thread and of every
asyncio task of every open event loop — so a hang names itself instead of burning the CI run.

pytest-timeout's own signal handler prints only the threads; a hung async test or fixture teardown sits in an
idle event loop, and only the tasks' stacks say what it waits for. This plugin takes over the timer (the
``pytest_timeout_set_timer`` hook) for the signal method, prints both, and fails the test. If the test cannot
unwind after that (a teardown that hangs again), a second alarm prints everything once more and ends the run
with exit status 3 — a hung suite is the one outcome that must not happen.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import signal
import sys
import threading
import traceback
from types import FrameType
from typing import Any

import pytest

# After the failure, how long the test may take to unwind before the run is ended (the plugin's own test
# shortens it through the environment).
LAST_CHANCE_S = float(os.environ.get("CC_TEST_LAST_CHANCE_S", "60"))
EXIT_HUNG = 3


def _open_loops() -> list[asyncio.AbstractEventLoop]:
    return [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop) and not o.is_closed()]


def _tasks_of(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task[Any]]:
    try:
        return sorted(asyncio.all_tasks(loop), key=lambda t: t.get_name())
    except RuntimeError:  # the loop's task set changed while read from another thread: once more
        return list(asyncio.all_tasks(loop))


def stacks_report(current: FrameType | None) -> str:
    """Every thread's stack (the interrupted one from ``current``), then every task of every open loop."""
    out = io.StringIO()
    names = {t.ident: t.name for t in threading.enumerate()}
    me = threading.get_ident()
    for ident, frame in sys._current_frames().items():
        shown = current if ident == me and current is not None else frame
        out.write(f"\n--- thread {names.get(ident, '?')} ({ident}) ---\n")
        out.write("".join(traceback.format_stack(shown)))
    for loop in _open_loops():
        tasks = _tasks_of(loop)
        state = "running" if loop.is_running() else "not running"
        out.write(f"\n--- event loop {id(loop):#x} ({state}): {len(tasks)} task(s) ---\n")
        for task in tasks:
            out.write(f"\n[task {task.get_name()}] {task!r}\n")
            task.print_stack(file=out)
    return out.getvalue()


def _write(item: pytest.Item, title: str, report: str) -> None:
    terminal = item.config.get_terminal_writer()
    terminal.sep("+", title=title)
    terminal.write(report + "\n")
    terminal.sep("+", title=title)
    terminal.flush()
    sys.stderr.flush()


def _disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Any:
    """The test is over, torn down and reported: no alarm of its may outlive it."""
    try:
        return (yield)
    finally:
        _disarm()


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None  # pytest-timeout's thread method: it dumps the threads and ends the run itself

    def give_up(_signum: int, frame: FrameType | None) -> None:
        report = stacks_report(frame)
        capture = item.config.pluginmanager.getplugin("capturemanager")
        if capture is not None:  # what the test printed, then the stacks, straight to the terminal
            capture.suspend_global_capture(in_=True)
            out, err = capture.read_global_capture()
            report = f"{out}{err}{report}"
        _write(
            item,
            f"{item.nodeid} did not unwind {LAST_CHANCE_S:.0f} s after its timeout: ending the run",
            report,
        )
        os._exit(EXIT_HUNG)

    def on_timeout(_signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        _write(item, f"Timeout: {item.nodeid} ran over {settings.timeout:.0f} s", stacks_report(frame))
        signal.signal(signal.SIGALRM, give_up)
        signal.setitimer(signal.ITIMER_REAL, LAST_CHANCE_S)
        # pytest-timeout cancels the timer when the failure is reported; this alarm must outlive that.
        item.cancel_timeout = lambda: None  # type: ignore[attr-defined]
        pytest.fail(f"Timeout: over {settings.timeout:.0f} s (stacks of every thread and task above)")

    item.cancel_timeout = _disarm  # type: ignore[attr-defined]  # what pytest-timeout's cancel hook calls
    signal.signal(signal.SIGALRM, on_timeout)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True
