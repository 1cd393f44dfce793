"""The web server's access log, without citizens' data (issue 11).

aiohttp's default line holds the whole request line with its query string, and the Referer. Here a line
keeps the path and the query's keys; a value is kept only for a few keys that never carry personal data
(paging, a status) and only when it looks like one, every other value becomes ``…``. Numbers that look
like a phone or an ID number are masked in the path as well (core/pii.py), and the Referer is left out.

    127.0.0.1 "GET /api/workorders?status=draft&caller=… HTTP/1.1" 400 187 0.003s "Mozilla/5.0 …"

``python -m callcenter run`` and ``serve`` use it (``RUNNER_OPTIONS``), and so do the tests' servers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Final

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from callcenter.core.pii import mask_numbers_in

KEPT_VALUES: Final = frozenset({"limit", "offset", "status", "state", "version"})
_HARMLESS = re.compile(r"[A-Za-z0-9_-]{0,32}")
MAX_TARGET = 300  # characters of path and query in one line
MAX_AGENT = 120


def redacted_query(pairs: Iterable[tuple[str, str]]) -> str:
    """``key=value`` pairs with every value dropped (``…``) but the harmless ones."""
    shown = []
    for key, value in pairs:
        keep = key in KEPT_VALUES and _HARMLESS.fullmatch(value) is not None
        shown.append(f"{mask_numbers_in(key[:32])}={value if keep else '…'}")
    return "&".join(shown)


def redacted_target(request: web.BaseRequest) -> str:
    """The path (numbers masked) and the query without its values."""
    target = mask_numbers_in(request.path)
    if request.query:
        target += "?" + redacted_query(request.query.items())
    return target[:MAX_TARGET]


class RedactingAccessLogger(AbstractAccessLogger):
    """One INFO line per request on the ``aiohttp.access`` logger; never a query value or a Referer."""

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)  # no line formatted that would not be emitted

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        agent = request.headers.get("User-Agent", "-")[:MAX_AGENT]
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3fs "%s"',
            request.remote or "-",
            request.method,
            redacted_target(request),
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
            agent,
        )


RUNNER_OPTIONS: Final[dict[str, Any]] = {"access_log_class": RedactingAccessLogger}
"""Keyword arguments for ``web.run_app`` / ``web.AppRunner`` / the test server: the redacting log."""
