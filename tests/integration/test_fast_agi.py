"""The FastAGI server against a scripted Asterisk on loopback: the wire protocol, UTF-8, and the rule that a
slow or broken request never holds the call (the connection closes, the dialplan keeps its defaults)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import pytest

from callcenter.adapters.agi.protocol import (
    AgiHangup,
    AgiProtocolError,
    parse_environment,
    parse_result,
    quote,
)
from callcenter.adapters.agi.routes import hotline_routes
from callcenter.adapters.agi.server import AgiSession, FastAgiServer, Handler
from callcenter.core.ids import TicketId
from callcenter.ivr.routing import OverflowPolicy
from callcenter.ticketing.states import TicketStatus
from callcenter_sim.phones.caller import _key_steps
from callcenter_sim.phones.scenario import caller_scenario

Serve = Callable[..., Awaitable[FastAgiServer]]


def environment(script: str, *args: str) -> bytes:
    lines = [
        "agi_network: yes",
        f"agi_network_script: {script}",
        f"agi_request: agi://127.0.0.1:4573/{script}",
        "agi_channel: PJSIP/pstn-00000001",
        "agi_uniqueid: 1700000000.1",
        "agi_callerid: 13800138000",
        *(f"agi_arg_{n}: {a}" for n, a in enumerate(args, 1)),
    ]
    return ("\n".join(lines) + "\n\n").encode()


class FakeAsterisk:
    """Plays Asterisk's side of one AGI connection: answers every command from ``answers`` (by prefix)."""

    def __init__(self, port: int, answers: Mapping[str, str]) -> None:
        self.port = port
        self.answers = answers
        self.commands: list[str] = []

    async def run(self, script: str, *args: str, header: bytes | None = None) -> list[str]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(environment(script, *args) if header is None else header)
        await writer.drain()
        while line := await reader.readline():
            command = line.decode("utf-8").rstrip("\n")
            self.commands.append(command)
            answer = next((a for p, a in self.answers.items() if command.startswith(p)), "200 result=1")
            writer.write(answer.encode("utf-8") + b"\n")
            await writer.drain()
        writer.close()
        return self.commands


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[FastAgiServer] = []

    async def start(routes: Mapping[str, Handler], deadline_s: float = 2.0, port: int = 0) -> FastAgiServer:
        server = FastAgiServer(routes, "127.0.0.1", port, deadline_s)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


async def lookup(ticket: TicketId, caller: str) -> TicketStatus | None:
    return {TicketId(42): TicketStatus.REGISTERED}.get(ticket) if caller == "13800138000" else None


def routes(threshold: int = 15) -> Mapping[str, Handler]:
    return hotline_routes(lookup, OverflowPolicy(wait_threshold_s=threshold), 0.5)


def test_parse_environment_and_results() -> None:
    request = parse_environment(environment("route", "hotline-enterprise", "中文")[:-2])
    assert (request.script, request.args, request.caller_number) == (
        "route",
        ("hotline-enterprise", "中文"),
        "13800138000",
    )
    assert parse_result("200 result=1 (张三)\n").data == "张三"
    assert parse_result("200 result=0").ok and not parse_result("200 result=-1").ok
    assert parse_result("510 Invalid or unknown command").code == 510
    with pytest.raises(AgiHangup):
        parse_result("HANGUP")
    with pytest.raises(AgiProtocolError):
        parse_result("garbage")
    with pytest.raises(AgiProtocolError):
        parse_environment(b"hello: world")
    assert quote('a "b" \\c') == '"a \\"b\\" \\\\c"'
    with pytest.raises(AgiProtocolError):
        quote("two\nlines")


async def test_ticket_status_sets_the_prompt(serve: Serve) -> None:
    server = await serve(routes())
    asterisk = FakeAsterisk(server.port, {})
    assert await asterisk.run("ticket-status", "42") == ['SET VARIABLE TICKET_PROMPT "ticket_accepted"']
    assert await FakeAsterisk(server.port, {}).run("ticket-status", "9") == [
        'SET VARIABLE TICKET_PROMPT "ticket_not_found"'
    ]


async def test_a_slow_lookup_says_unavailable(serve: Serve) -> None:
    async def slow(ticket: TicketId) -> TicketStatus | None:
        await asyncio.sleep(5)
        return None

    server = await serve(hotline_routes(slow, OverflowPolicy(), 0.1))
    commands = await FakeAsterisk(server.port, {}).run("ticket-status", "42")
    assert commands == ['SET VARIABLE TICKET_PROMPT "ticket_unavailable"']


async def test_route_reads_the_live_figures_from_asterisk_and_overflows(serve: Serve) -> None:
    server = await serve(routes(threshold=1))
    answers = {
        'GET FULL VARIABLE "${QUEUE_WAITING_COUNT(hotline-enterprise)}"': "200 result=1 (0)",
        'GET FULL VARIABLE "${QUEUE_MEMBER(hotline-enterprise,free)}"': "200 result=1 (0)",
        'GET FULL VARIABLE "${QUEUE_MEMBER(hotline-enterprise,logged)}"': "200 result=1 (0)",
        'GET FULL VARIABLE "${QUEUE_MEMBER(hotline,free)}"': "200 result=1 (1)",
        'GET FULL VARIABLE "${QUEUE_MEMBER(hotline,logged)}"': "200 result=1 (1)",
        "GET FULL VARIABLE": "200 result=1 (0)",
    }
    commands = await FakeAsterisk(server.port, answers).run("route", "hotline-enterprise")
    assert commands[-2:] == ['SET VARIABLE HOTLINE_QUEUE "hotline"', 'SET VARIABLE HOTLINE_OVERFLOW "yes"']
    assert 'GET FULL VARIABLE "${QUEUE_MEMBER(hotline-enterprise,logged)}"' in commands


async def test_a_bad_queue_name_changes_nothing(serve: Serve) -> None:
    server = await serve(routes())
    assert await FakeAsterisk(server.port, {}).run("route", "hotline)}${SHELL(rm") == []


async def test_unknown_script_and_broken_requests_close_the_connection(serve: Serve) -> None:
    server = await serve(routes())
    assert await FakeAsterisk(server.port, {}).run("no-such-script") == []
    # Closed before the blank line, or not AGI at all: the connection ends, the server keeps serving.
    assert await FakeAsterisk(server.port, {}).run("x", header=b"agi_network: yes\n") == []
    assert await FakeAsterisk(server.port, {}).run("x", header=b"GET / HTTP/1.0\n\n") == []
    assert await FakeAsterisk(server.port, {}).run("ticket-status", "42") != []


async def test_a_handler_past_its_deadline_is_cut(serve: Serve) -> None:
    async def stuck(session: AgiSession) -> None:
        await session.set_variable("X", "1")
        await asyncio.sleep(10)

    server = await serve({"stuck": stuck}, deadline_s=0.2)
    assert await asyncio.wait_for(FakeAsterisk(server.port, {}).run("stuck"), 3) == ['SET VARIABLE X "1"']


async def test_utf8_values_both_ways(serve: Serve) -> None:
    seen: list[str] = []

    async def echo(session: AgiSession) -> None:
        seen.append(await session.evaluate("${CALLERID(name)}"))
        await session.set_variable("GREETING", "您好，" + seen[0])

    server = await serve({"echo": echo})
    commands = await FakeAsterisk(server.port, {"GET FULL": "200 result=1 (张三李四)"}).run("echo")
    assert seen == ["张三李四"] and commands[-1] == 'SET VARIABLE GREETING "您好，张三李四"'


def test_caller_keys_become_scenario_steps() -> None:
    steps, keyed_s = _key_steps(((5.0, "#"), (1.0, "42")))
    assert steps == [(1000, "42"), (4000, "#")] and keyed_s == 5.0
    assert _key_steps(((0.0, "123"), (0.1, "4")))[0] == [(0, "123"), (750, "4")]  # never overlapping
    xml = caller_scenario("13800138000", None, 0, 1000, [(1000, "42#")])
    assert 'play_dtmf="42#"' in xml and "telephone-event/8000" in xml
    with pytest.raises(ValueError):
        caller_scenario("13800138000", None, 0, 1000, [(0, "4<2")])


async def test_two_app_processes_share_the_port(serve: Serve) -> None:
    first = await serve(routes())
    second = await serve(routes(), port=first.port)
    assert second.port == first.port
    await first.close()  # one process stops: the other still answers
    assert await FakeAsterisk(second.port, {}).run("ticket-status", "42") != []
