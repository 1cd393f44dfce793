"""The suite's time limit, checked on a throw-away test run: a test that hangs — in its body or in an async
fixture's teardown, the hang CI once met — fails with every thread's and task's stack; one that cannot unwind
after that ends the run (exit status 3) instead of hanging it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HANGS = """
import asyncio
import pytest

@pytest.fixture
async def teardown_waits_for_ever():
    yield
    await asyncio.Event().wait()  # nothing will ever set it

async def test_body_waits_for_ever():
    async def stuck_in_the_pump():
        await asyncio.Event().wait()
    await asyncio.create_task(stuck_in_the_pump(), name="the-stuck-pump")

async def test_fixture_teardown_waits_for_ever(teardown_waits_for_ever):
    pass

def test_after_them_all_runs():
    pass
"""

CANNOT_UNWIND = """
import asyncio

async def test_leaves_a_task_that_swallows_every_cancel():
    async def stubborn():
        while True:
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                pass
    asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.Event().wait()
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str) -> pytest.RunResult:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("CC_TEST_LAST_CHANCE_S", "3")
    pytester.makepyfile(test_hang=source)
    args = (
        "-p",
        "tests.support.timeouts",
        "-o",
        "timeout=2",
        "-o",
        "asyncio_mode=auto",
        "-p",
        "no:cacheprovider",
    )
    return pytester.runpytest_subprocess(*args, timeout=120)


def test_a_hang_fails_its_test_with_the_stacks_of_threads_and_tasks(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    result = _run(pytester, monkeypatch, HANGS)
    result.assert_outcomes(passed=2, failed=1, errors=1)
    out = result.stdout.str()
    assert "Timeout: test_hang.py::test_body_waits_for_ever ran over 2 s" in out
    assert "[task the-stuck-pump]" in out and "stuck_in_the_pump" in out
    assert "Timeout: test_hang.py::test_fixture_teardown_waits_for_ever ran over 2 s" in out
    assert "teardown_waits_for_ever" in out and "--- thread MainThread" in out
    assert time.monotonic() - started < 60


def test_a_test_that_cannot_unwind_ends_the_run_instead_of_hanging_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, CANNOT_UNWIND)
    assert result.ret == 3
    out = result.stdout.str()
    assert "did not unwind 3 s after its timeout: ending the run" in out
    assert "[task stubborn]" in out
