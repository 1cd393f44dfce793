"""Stopping the hotline never hangs: ``python -m callcenter serve`` — web, AMI bridge, live taps, the live
ASR worker and an ASR worker process — is stopped the way a service manager stops it (SIGTERM) and the way an
operator does (Ctrl-C: SIGINT to the whole process group) while an agent is talking to a citizen and both
voices are being transcribed live; the whole process tree is gone within a few seconds, cleanly.

Real parts: the test Asterisk, a sipp citizen speaking Mandarin, a pyVoIP agent phone, Redis, the app and its
worker processes exactly as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.wiring.workers import settings_env
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from callcenter_sim.phones.ports import free_port_block
from tests.e2e.test_live_tap import citizen_audio
from tests.support.asterisk import AmiSession
from tests.support.hotline import hotline_settings

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

AgentPhones = Callable[..., AgentPhone]
Callers = Callable[[CallerScript], SippCaller]

STOP_BOUND_S = 10.0  # "down within a few seconds": measured 2-4 s on 2 cores
START_S = 90.0
FORCED = ("forced", "did not stop", "left behind", "killed", "Traceback")


class Served:
    """``python -m callcenter serve`` in a session of its own, its output in ``log``."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "callcenter", "serve"], env=env, stdout=out, stderr=out,
                start_new_session=True,
            )  # fmt: skip

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> set[int]:
        """The pids whose parent is the app (its ASR and live workers)."""
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.add(int(stat.parent.name))
        return found

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Served]]:
    started: list[Served] = []

    def start(env: dict[str, str]) -> Served:
        started.append(Served(env, tmp_path / "serve.log"))
        return started[-1]

    yield start
    for served in started:
        served.kill()
        print("hotline log (tail):", *served.text().splitlines()[-40:], sep="\n")


async def _until(what: Callable[[], object], within: float, label: str, served: Served) -> None:
    deadline = time.monotonic() + within
    while not what():
        if served.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{label}: not within {within:.0f} s (the hotline's log is printed below)")
        await asyncio.sleep(0.25)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _left_after(pids: set[int], seconds: float) -> list[int]:
    """The processes of ``pids`` still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


async def _healthy(port: int) -> bool:
    try:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/api/health") as r:
            return r.status == 200
    except aiohttp.ClientError:
        return False


@pytest.mark.timeout(420)
@pytest.mark.parametrize("how", ["SIGTERM to the app", "Ctrl-C to the process group"])
async def test_the_hotline_stops_within_seconds_during_a_live_transcribed_call(
    how: str,
    serve: Callable[[dict[str, str]], Served],
    asterisk: AsteriskInstance,
    agent_phone: AgentPhones,
    caller: Callers,
    tmp_path: Path,
) -> None:
    port = free_port_block(1)
    settings = hotline_settings(
        asterisk,
        tmp_path / "var",
        http_port=port,
        asr_workers=1,
        live_asr=1,
        live_asr_port=free_port_block(1),
    )
    served = serve({**os.environ, **settings_env(settings)})
    deadline = time.monotonic() + START_S
    while not await _healthy(port):
        if served.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the hotline did not become healthy (its log is printed below)")
        await asyncio.sleep(0.5)
    await _until(lambda: "ASR worker asr-1 ready" in served.text(), 60, "the ASR worker ready", served)
    await _until(lambda: "live ASR worker on" in served.text(), 60, "the live worker listening", served)
    assert len(served.children()) == 2

    phone = agent_phone("agent1001")
    ast = asterisk.settings
    with AmiSession(ast.ami_port, ast.ami_user, ast.ami_secret, events=False) as ami:
        ami.action(
            "QueueAdd", Queue=settings.hotline_queue, Interface="PJSIP/agent1001", MemberName="agent1001"
        )
    audio, _ = citizen_audio(tmp_path, lead_s=asterisk.greeting_seconds() + 2.0)
    script = CallerScript(caller_number="13800138701", audio=audio, tail_s=120.0)
    calling = asyncio.create_task(asyncio.to_thread(caller(script).run, 240))
    try:
        await _until(lambda: phone.wait_answered(0), 60, "the agent answering", served)
        await _until(lambda: served.text().count("live stream") >= 2, 30, "both live streams open", served)
        await asyncio.sleep(2.0)  # words are being recognized and published
        workers = served.children()

        started = time.monotonic()
        if how.startswith("SIGTERM"):
            served.process.send_signal(signal.SIGTERM)
        else:
            os.killpg(served.process.pid, signal.SIGINT)
        try:
            code = await asyncio.to_thread(served.process.wait, 60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the hotline was still running 60 s after {how}")
        took = time.monotonic() - started
    finally:
        phone.hang_up()
        await calling

    print(f"{how}: the hotline was down {took:.1f} s later")
    assert code == 0, served.text()[-3000:]
    assert took < STOP_BOUND_S, served.text()[-3000:]
    assert not [pid for pid in workers if _alive(pid)], "a worker process outlived the app"
    forced = [line for line in served.text().splitlines() if any(word in line for word in FORCED)]
    assert forced == [], forced


async def test_the_workers_do_not_outlive_a_killed_hotline(
    serve: Callable[[dict[str, str]], Served], asterisk: AsteriskInstance, tmp_path: Path
) -> None:
    """SIGKILL leaves the app no time to stop anything: its worker processes end by themselves (the kernel's
    parent-death signal), so no orphan keeps the live worker's port or takes transcription jobs."""
    port = free_port_block(1)
    settings = hotline_settings(
        asterisk,
        tmp_path / "var",
        http_port=port,
        asr_workers=1,
        live_asr=1,
        live_asr_port=free_port_block(1),
    )
    served = serve({**os.environ, **settings_env(settings)})
    await _until(lambda: "ASR worker asr-1 ready" in served.text(), START_S, "the ASR worker ready", served)
    await _until(lambda: "live ASR worker on" in served.text(), 60, "the live worker listening", served)
    workers = served.children()
    assert len(workers) == 2

    served.process.kill()
    await asyncio.to_thread(served.process.wait, 10)
    left = await asyncio.to_thread(_left_after, workers, STOP_BOUND_S)
    assert left == [], "a worker outlived the killed app"
