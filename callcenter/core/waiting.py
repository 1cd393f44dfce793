"""Waiting with a time limit, safely on Python 3.11.

Python 3.11's ``asyncio.wait_for`` can swallow a cancellation that arrives while the awaited thing has just
finished (CPython gh-86296, fixed in 3.12 by rewriting it on ``asyncio.timeout``). A loop such as
``while True: await asyncio.wait_for(event.wait(), 1)`` then goes on forever after ``task.cancel()``, and
whoever awaits the cancelled task at shutdown hangs: the cause of the test suite's teardown hangs. The
package therefore never calls ``asyncio.wait_for`` (tests/unit/test_no_wait_for.py keeps it so) and waits
with ``asyncio.timeout``, which counts cancellations and never loses one.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
A = TypeVar("A")


async def wait_event(event: asyncio.Event, within: float) -> bool:
    """Wait until ``event`` is set or ``within`` seconds have passed; True if it is set."""
    try:
        async with asyncio.timeout(within):
            await event.wait()
    except TimeoutError:
        return event.is_set()
    return True


STOP_GRACE_S = 5.0  # how long a cancelled background task may take to unwind before it is given up on
STOP_WITHIN_S = 15.0  # how long one part of the service may take to shut down


async def cancel_all(
    tasks: Iterable[asyncio.Task[Any]], grace: float = STOP_GRACE_S
) -> list[asyncio.Task[Any]]:
    """Cancel every task and wait — at most ``grace`` seconds — for each to finish unwinding.

    A task still running after that (it swallowed the cancellation, or its clean-up is stuck) is cancelled
    once more and left behind: it is logged as an error with its stack, so a stop is never a hang and never
    silent. Returns the tasks left behind (empty when all stopped)."""
    tasks = [t for t in tasks if not t.done()]
    for task in tasks:
        task.cancel()
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        log.error(
            "task %s did not stop within %.1f s of cancel; left behind:\n%s",
            task.get_name(),
            grace,
            _stack_of(task),
        )
        task.cancel()
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("task %s ended with %r while stopping", task.get_name(), task.exception())
    return [t for t in tasks if t in pending]


def _stack_of(task: asyncio.Task[Any]) -> str:
    out = io.StringIO()
    task.print_stack(file=out)
    return out.getvalue()


def bounded_stop(
    name: str, ctx: Callable[[A], AsyncIterator[None]], within: float = STOP_WITHIN_S
) -> Callable[[A], AsyncIterator[None]]:
    """A start-up/shutdown context (aiohttp's ``cleanup_ctx``) whose shutdown takes at most ``within`` s.

    The shutdown step runs as a task of its own: over the limit it is cancelled and, if it will not stop,
    left behind (``cancel_all``), with an error naming the part — the rest of the shutdown goes on, so an
    operator's stop always ends."""

    async def bounded(app: A) -> AsyncIterator[None]:
        steps = ctx(app)
        await anext(steps)
        yield

        async def shut_down() -> None:
            await anext(steps, None)

        stopping = asyncio.create_task(shut_down(), name=f"stop {name}")
        done, _ = await asyncio.wait([stopping], timeout=within)
        if not done:
            log.error("stopping %s took over %.0f s: forced", name, within)
            await cancel_all([stopping], grace=1.0)
            return
        stopping.result()  # a failure to stop is the caller's to see

    return bounded
