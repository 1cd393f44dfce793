"""The real service, started as an operator starts it (``python -m callcenter serve``), on SQLite and Redis:
its data directory, database and secrets are private to it (issue 11, item 5), and its access log holds
no query value (item 3). No Asterisk: the AMI bridge keeps retrying, which changes nothing here."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.repositories import call_to_row
from callcenter.adapters.db.tables import calls
from callcenter.calls.model import CallRecord
from callcenter.core.ids import CallId
from callcenter_sim.phones.ports import free_port_block
from tests.support.services import REDIS_URL

REPO = Path(__file__).resolve().parents[2]
NUMBER = "13912345678"
PASSWORD = "started-hotline-secret-42"


@dataclass
class Started:
    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    log: Path
    prefix: str

    def stop(self) -> str:
        """SIGINT (as Ctrl-C) and wait for a clean exit; the whole log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.log.read_text(encoding="utf-8", errors="replace")


def service_env(data_dir: Path, prefix: str) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CALLCENTER_") and k not in ("DATABASE_URL", "REDIS_URL", "ASR_ENGINE")
    }
    return {
        **inherited,
        "PYTHONPATH": str(REPO),
        "REDIS_URL": REDIS_URL,
        "CALLCENTER_DATA_DIR": str(data_dir),
        "CALLCENTER_HTTP_PORT": str(free_port_block(1)),
        "CALLCENTER_AMI_PORT": str(free_port_block(1)),  # nothing listens: the bridge retries
        "CALLCENTER_AGI_PORT": str(free_port_block(1)),
        "CALLCENTER_ASTERISK_NAME": f"t{uuid.uuid4().hex[:8]}",
        "CALLCENTER_LIVE_ASR": "0",
        "CALLCENTER_MISSED_CALL_ENABLED": "0",
        "CALLCENTER_ADMIN_PASSWORD": PASSWORD,
        "CALLCENTER_JOBS_STREAM": f"{prefix}:jobs",
        "CALLCENTER_WALLBOARD_PREFIX": f"{prefix}:wall",
        "CALLCENTER_AGENTS_PREFIX": f"{prefix}:agents",
        "CALLCENTER_SL_QUEUE_LOG": str(data_dir.parent / "no-queue-log"),
        "CALLCENTER_LOG_LEVEL": "INFO",
    }


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Started]:
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)  # as an older version left it
    data_dir.chmod(0o755)
    secret = data_dir / "ami_secret"
    secret.write_text("an-older-looser-secret-file")
    secret.chmod(0o644)
    prefix = f"cc:test:{uuid.uuid4().hex[:10]}"
    env = service_env(data_dir, prefix)
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "callcenter", "serve", "--no-workers"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Started(process, f"http://127.0.0.1:{env['CALLCENTER_HTTP_PORT']}", data_dir, log, prefix)
    yield running
    running.stop()


@pytest.fixture
async def tidy_redis(started: Started) -> AsyncIterator[None]:
    yield
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    async for key in client.scan_iter(f"{started.prefix}:*"):
        await client.delete(key)
    await client.aclose()


async def up(session: aiohttp.ClientSession, started: Started) -> None:
    """Until the web server answers (503 while AMI is down is an answer)."""
    for _ in range(240):
        if started.process.poll() is not None:
            pytest.fail(f"the service exited with {started.process.returncode}:\n{started.stop()}")
        try:
            async with session.get(f"{started.url}/api/health") as response:
                if response.status in (200, 503):
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.25)
    pytest.fail(f"the service did not answer within 60 s:\n{started.stop()}")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("tidy_redis")
async def test_the_started_service_keeps_its_data_private_and_its_urls_out_of_the_log(
    started: Started,
) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:  # an IP host
        await up(session, started)
        async with session.get(f"{started.url}/api/workorders?caller={NUMBER}&limit=5") as refused:
            assert refused.status == 400
        login = {"login": "admin", "password": PASSWORD}
        async with session.post(f"{started.url}/api/login", json=login) as response:
            assert response.status == 200
        async with session.post(f"{started.url}/api/workorders/search", json={"caller": NUMBER}) as found:
            assert found.status == 200 and (await found.json())["items"] == []
        async with session.get(f"{started.url}/api/knowledge/suggest?text=我的电话{NUMBER}") as refused:
            assert refused.status == 400

    var = started.data_dir
    db = var / "callcenter.db"
    assert mode(var) == 0o700
    assert mode(db) == 0o600
    for companion in ("callcenter.db-wal", "callcenter.db-shm"):  # WAL journaling, the app still running
        assert mode(var / companion) == 0o600, companion
    assert mode(var / "ami_secret") == 0o600  # tightened
    assert not (var / "admin_password").exists()  # from the environment: nothing written
    others = {p.name: oct(mode(p)) for p in var.rglob("*") if mode(p) & 0o077}
    assert others == {}, others

    log = started.stop()
    assert started.process.returncode == 0, log
    assert "aiohttp.access" in log and "/api/workorders?caller=…&limit=5" in log, log
    assert "/api/knowledge/suggest?text=… " in log and "POST /api/workorders/search " in log
    assert NUMBER not in log


async def test_a_failed_statement_never_shows_the_citizen_s_data(engine: AsyncEngine) -> None:
    """Database errors are logged with their tracebacks: the values of the statement stay out of them."""
    call = CallRecord(CallId("1764.5"), NUMBER, "PJSIP/pstn-5", datetime.now(UTC))
    with pytest.raises(DBAPIError) as caught:
        async with engine.begin() as conn:
            row = {**call_to_row(call), "hangup_cause": "我家住在建国门内大街18号"}
            await conn.execute(calls.insert().values(**row))
            await conn.execute(calls.insert().values(**row))  # the same call id again
    shown = str(caught.value)
    assert "calls" in shown and "hidden due to hide_parameters" in shown
    assert NUMBER not in shown and "建国门" not in shown
