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
