"""Reading a Server-Sent Events response in tests: the next event of a name, comments skipped."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientResponse


async def next_event(response: ClientResponse, name: str, within: float = 3.0) -> dict[str, Any]:
    """The data (JSON object) of the next ``name`` event; other events, comments and ``retry`` skipped."""
    fields: dict[str, str] = {}
    async with asyncio.timeout(within):
        while True:
            line = (await response.content.readline()).decode()
            if not line:
                raise EOFError("stream ended")
            line = line.rstrip("\n")
            if not line:
                if fields.get("event") == name:
                    data: dict[str, Any] = json.loads(fields["data"])
                    return data
                fields = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                fields[key] = value
