"""Shared fixtures. Real services only: PostgreSQL and Redis on loopback, SQLite files, real Asterisk.

A service that is missing makes its tests FAIL with a message that says how to get it.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "pytester",
    "tests.support.timeouts",
    "tests.support.services",
    "tests.support.asterisk",
    "tests.support.phones",
    "tests.support.asr",
    "tests.support.hotline",
    "tests.support.browser",
]

# Imported here, at collection, rather than by hypothesis's own plugin in the terminal summary: CPython
# 3.11.7's AST constructor can fail with "SystemError: AST constructor recursion depth mismatch" (gh-106905)
# when pytest's assertion rewriter parses hypothesis deep in that hook's stack, which fails a run of a
# single test file after all its tests passed.
import hypothesis  # noqa: E402, F401

TELEPHONY_GROUPS = 2  # real-time tests on Asterisk spread over this many groups, one per test process


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``./hotline test`` runs two test processes (pytest-xdist, ``--dist loadgroup``). Most of the suite's
    time is tests that wait in real time on Asterisk (calls, queues, browsers following them): each of
    their files goes whole to one of two groups, alternately in name order, so the two processes share
    them, each against its own session Asterisk on its own ports. Everything else (rules, storage, HTTP,
    speech) is spread test by test."""
    telephony = sorted({str(i.path) for i in items if _real_time(i)})
    group = {path: f"telephony-{n % TELEPHONY_GROUPS}" for n, path in enumerate(telephony)}
    for item in items:
        if str(item.path) in group:
            item.add_marker(pytest.mark.xdist_group(group[str(item.path)]))


def _real_time(item: pytest.Item) -> bool:
    return item.get_closest_marker("asterisk") is not None or "/tests/e2e/" in str(item.path)
