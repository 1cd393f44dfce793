"""Self-service status lookup (自助查询) through the real FastAGI server on the real database (issue 11).

Before, anyone keying any work-order number heard its status, confidential orders included. Now a caller
hears the status only of an order whose caller number is the calling number (Asterisk's ``agi_callerid``),
never of a confidential one; everything else hears the same 未查到 as a number that does not exist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.agi.routes import hotline_routes
from callcenter.adapters.agi.server import FastAgiServer
from callcenter.ivr.routing import OverflowPolicy
from callcenter.wiring.app import ticket_status_lookup
from tests.integration.test_fast_agi import FakeAsterisk
from tests.integration.test_work_orders import NEW_ORDER, post
from tests.support.web import Web, build_web

OWNER = "13800138000"
NOT_FOUND = ['SET VARIABLE TICKET_PROMPT "ticket_not_found"']


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


@pytest.fixture
async def agi(web: Web) -> AsyncIterator[FastAgiServer]:
    routes = hotline_routes(ticket_status_lookup(web.parts.store), OverflowPolicy(), 2.0)
    server = FastAgiServer(routes, "127.0.0.1", 0, deadline_s=3.0)
    await server.start()
    yield server
    await server.close()


async def keyed(server: FastAgiServer, order_id: int, calling: str) -> list[str]:
    """What the dialplan is told when ``calling`` keys ``order_id`` and #."""
    header = (
        "agi_network: yes\nagi_network_script: ticket-status\nagi_request: agi://127.0.0.1/ticket-status\n"
        f"agi_uniqueid: 1.1\nagi_callerid: {calling}\nagi_arg_1: {order_id}#\n\n"
    )
    return await FakeAsterisk(server.port, {}).run("ticket-status", header=header.encode())


async def test_the_caller_hears_their_own_order_and_nobody_elses(web: Web, agi: FastAgiServer) -> None:
    own = await post(web, "agent1", "/api/workorders", {**NEW_ORDER, "dispatch": {"lead_unit": "jianguomen"}})
    secret = await post(web, "agent1", "/api/workorders", {**NEW_ORDER, "confidential": True})

    assert await keyed(agi, own["id"], OWNER) == ['SET VARIABLE TICKET_PROMPT "ticket_in_progress"']
    assert await keyed(agi, own["id"], f"+86{OWNER}") == ['SET VARIABLE TICKET_PROMPT "ticket_in_progress"']
    assert await keyed(agi, own["id"], "13900139000") == NOT_FOUND  # another caller
    assert await keyed(agi, own["id"], "") == NOT_FOUND  # a withheld number
    assert await keyed(agi, secret["id"], OWNER) == NOT_FOUND  # confidential: not even to its caller
    assert await keyed(agi, 987654321, OWNER) == NOT_FOUND  # no such order: the same words
