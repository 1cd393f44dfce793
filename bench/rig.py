"""The whole hotline for a bench: a throw-away Asterisk 22 on loopback (free ports) and the app as ``serve``
runs it (composition root, AMI bridge, workers, SQLite, Redis, web API on a test server), logged in as
admin, bridged and the sample city seeded. Everything is stopped and removed afterwards."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from callcenter.adapters.asterisk import AsteriskInstance, locate_runtime
from callcenter.config.settings import Settings
from callcenter.wiring.app import HOTLINE, Hotline, build_app
from callcenter.wiring.workorders import seed_sample_city
from tests.support.asterisk import throwaway_settings
from tests.support.hotline import ADMIN_PASSWORD, hotline_settings


@dataclass
class Rig:
    asterisk: AsteriskInstance
    hotline: Hotline
    client: TestClient  # type: ignore[type-arg]
    settings: Settings
    data: Path  # a temporary directory of the bench's own


@asynccontextmanager
async def running_hotline(**overrides: Any) -> AsyncIterator[Rig]:
    asterisk = AsteriskInstance(throwaway_settings(), locate_runtime())
    asterisk.start(timeout=60.0, die_with_parent=True)
    data = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    client: TestClient | None = None  # type: ignore[type-arg]
    settings = hotline_settings(asterisk, data / "var", **overrides)
    try:
        app = build_app(settings, lambda p: str(asterisk.host_path(p)))
        client = TestClient(TestServer(app))
        await client.start_server()
        login = {"login": "admin", "password": ADMIN_PASSWORD}
        assert (await client.post("/api/login", json=login)).status == 200
        hotline = app[HOTLINE]
        async with asyncio.timeout(30):
            await hotline.bridges.all_synced()
        await seed_sample_city(hotline.work, hotline.clock.now())
        yield Rig(asterisk, hotline, client, settings, data)
    finally:
        if client is not None:
            await client.close()
            await _drop_job_stream(settings.redis_url, settings.jobs_stream)
        asterisk.stop()
        shutil.rmtree(asterisk.instance_dir, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)


async def _drop_job_stream(url: str, stream: str) -> None:
    """The bench's own transcription stream (named per run by ``hotline_settings``) leaves Redis."""
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    await redis.delete(stream)
    await redis.aclose()
