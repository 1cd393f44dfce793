"""Shared fixtures. Real services only: PostgreSQL and Redis on loopback, SQLite files, real Asterisk.

A service that is missing makes its tests FAIL with a message that says how to get it.
"""

from __future__ import annotations

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
