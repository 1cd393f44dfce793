"""A small asyncio FastAGI server: one connection per ``AGI(agi://…/<script>,args)``, routed by script name.

Why not panoramisk.fast_agi (1.4): its header reader loops forever on a connection closed before the blank
line, it relies on ``asyncio.coroutine`` (gone in 3.11) for plain functions, and it is untyped. This one
is ~100 lines, typed, bounded (header size, per-request deadline) and UTF-8 throughout.

Rule: a handler that is slow or fails never holds the call — after ``deadline_s`` the connection is closed
and the dialplan goes on with the defaults it set before calling AGI (the call is never dropped).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from callcenter.adapters.agi.protocol import (
    MAX_HEADER_BYTES,
    AgiHangup,
    AgiProtocolError,
    AgiRequest,
    AgiResult,
    parse_environment,
    parse_result,
    quote,
)

log = logging.getLogger(__name__)


class AgiSession:
    """The command dialogue of one request."""

    def __init__(self, request: AgiRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.request = request
        self._reader = reader
        self._writer = writer

    async def command(self, line: str) -> AgiResult:
        """Send one AGI command and read its result (skipping ``100 Trying``)."""
        self._writer.write(line.encode("utf-8") + b"\n")
        await self._writer.drain()
        while True:
            raw = await self._reader.readline()
            if not raw:
                raise AgiHangup("Asterisk closed the AGI connection")
            result = parse_result(raw.decode("utf-8", "replace"))
            if result.code != 100:
                return result

    async def set_variable(self, name: str, value: str) -> None:
        result = await self.command(f"SET VARIABLE {name} {quote(value)}")
        if not result.ok:
            raise AgiProtocolError(f"SET VARIABLE {name} failed: {result}")

    async def evaluate(self, expression: str) -> str:
        """``GET FULL VARIABLE``: evaluates dialplan functions on the channel, e.g. ``${QUEUE_…(q)}``."""
        result = await self.command(f"GET FULL VARIABLE {quote(expression)}")
        return result.data if result.ok else ""


Handler = Callable[[AgiSession], Awaitable[None]]


class FastAgiServer:
    """Serves ``routes`` (script name → handler) on ``host:port`` until ``close``."""

    def __init__(self, routes: Mapping[str, Handler], host: str, port: int, deadline_s: float = 2.0):
        self._routes = dict(routes)
        self._host, self._port = host, port
        self._deadline_s = deadline_s
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        if self._server is None or not self._server.sockets:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen; ``reuse_port`` lets several app processes on one host share the port (the kernel spreads
        connections). A port held by something else is logged, not fatal: the dialplan has its defaults."""
        try:
            self._server = await asyncio.start_server(
                self._serve, self._host, self._port, limit=MAX_HEADER_BYTES, reuse_port=True
            )
        except OSError as exc:
            log.error(
                "FastAGI server cannot listen on %s:%d (%s); calls use the defaults",
                self._host,
                self._port,
                exc,
            )
            return
        log.info("FastAGI server listening on %s:%d", self._host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(self._deadline_s):
                await self._dialogue(reader, writer)
        except TimeoutError:
            log.warning(
                "FastAGI request took over %.1f s; the dialplan goes on with its defaults", self._deadline_s
            )
        except (AgiHangup, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            log.info("FastAGI connection ended early")
        except Exception:
            log.exception("FastAGI handler failed; the dialplan goes on with its defaults")
        finally:
            writer.close()

    async def _dialogue(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        block = await reader.readuntil(b"\n\n")
        request = parse_environment(block)
        handler = self._routes.get(request.script)
        if handler is None:
            log.error("FastAGI: no route for script %r (call %s)", request.script, request.uniqueid)
            return
        await handler(AgiSession(request, reader, writer))
