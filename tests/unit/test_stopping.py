"""Stopping never hangs: a background loop stops on cancel even when the cancel lands just as the thing it
waits for happens (the race that made Python 3.11's ``asyncio.wait_for`` swallow the cancellation and hung
the suite's teardown, CPython gh-86296), and ``cancel_all`` gives up on a task that will not stop — logged
with its stack — instead of waiting for ever."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.core.clock import FixedClock
from callcenter.core.waiting import cancel_all, wait_event
from callcenter.queue.seats.agent_floor import AgentFloor
from tests.unit.test_agent_floor import FakeAsterisk, FakeStore

ROOT = Path(__file__).resolve().parents[2]
EVENT_TO_CANCEL = range(6)  # loop iterations between the wake-up and the cancel: the race window is 1-3


async def _loop_on(event: asyncio.Event) -> None:
    while True:
        await wait_event(event, 1.0)
        event.clear()


@pytest.mark.parametrize("gap", EVENT_TO_CANCEL)
async def test_a_loop_waiting_on_an_event_stops_when_cancelled_as_the_event_is_set(gap: int) -> None:
    event = asyncio.Event()
    task = asyncio.create_task(_loop_on(event))
    await asyncio.sleep(0.01)
    event.set()
    for _ in range(gap):
        await asyncio.sleep(0)
    assert await cancel_all([task], grace=2.0) == []
    assert task.cancelled()


@pytest.mark.parametrize("gap", EVENT_TO_CANCEL)
async def test_the_agent_floor_writer_stops_when_closed_just_after_a_floor_event(gap: int) -> None:
    clock = FixedClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    floor = AgentFloor(
        FakeStore(), {"a": FakeAsterisk(clock)}, clock, 10, flush_every=0.001, check_every=0.05
    )
    await floor.open()
    await asyncio.sleep(0.01)
    floor._kick()  # what every floor event does (a seat logged out at shutdown, say)
    for _ in range(gap):
        await asyncio.sleep(0)
    closing = asyncio.create_task(floor.close())
    done, _ = await asyncio.wait([closing], timeout=3)
    if not done:  # the hang this guards against: free the loop, then fail
        for _ in range(3):
            floor._writer and floor._writer.cancel()
            await asyncio.sleep(0.01)
    assert done, "closing the agent floor hung: its writer swallowed the cancellation"


async def test_a_task_that_will_not_stop_is_left_behind_with_its_stack_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(10)

    task = asyncio.create_task(stubborn(), name="stubborn-task")
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR, logger="callcenter.core.waiting"):
        left = await cancel_all([task], grace=0.2)
    assert left == [task]
    assert "stubborn-task did not stop" in caplog.text and "stubborn" in caplog.text
    release.set()
    task.cancel()
    await asyncio.wait([task], timeout=2)
    assert task.done()


def _is_asyncio(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "asyncio"


def _wait_for_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr == "wait_for" and _is_asyncio(node.value):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_package_never_uses_asyncio_wait_for() -> None:
    """On Python 3.11 it can lose a cancellation (see callcenter/core/waiting.py); use asyncio.timeout."""
    files = [*(ROOT / "callcenter").rglob("*.py"), *(ROOT / "tests" / "support").rglob("*.py")]
    assert [hit for f in files for hit in _wait_for_calls(f)] == []
