"""Fixtures for the real database (SQLite and PostgreSQL) and Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import create_engine, upgrade

POSTGRES_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HOW_TO_GET = (
    "PostgreSQL must listen on 127.0.0.1:5432 with trust auth for user postgres (or set "
    "TEST_POSTGRES_ADMIN_DSN); on Debian: apt-get install postgresql && pg_ctlcluster 15 main start"
)


async def _create_pg_database() -> str:
    name = f"cc_test_{uuid.uuid4().hex[:10]}"
    try:
        conn = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL unavailable ({exc}). {HOW_TO_GET}")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def _drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _pg_url(name: str) -> str:
    base = POSTGRES_ADMIN.replace("postgresql://", "postgresql+asyncpg://", 1)
    return base.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database: an SQLite file, then a PostgreSQL database (each test runs on both)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'callcenter.db'}"
        await upgrade(url)
        yield url
        return
    name = await _create_pg_database()
    url = _pg_url(name)
    await upgrade(url)
    yield url
    await _drop_pg_database(name)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        await client.ping()
    except OSError as exc:
        pytest.fail(
            f"Redis unavailable at {REDIS_URL} ({exc}); start it with `redis-server --daemonize yes` "
            "or run `bash scripts/setup.sh`"
        )
    yield client
    await client.aclose()


@pytest.fixture
def stream_name() -> Iterator[str]:
    """A stream key of its own for each test, so tests never see each other's jobs."""
    yield f"cc:test:{uuid.uuid4().hex[:12]}"
