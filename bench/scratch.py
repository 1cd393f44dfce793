"""What the PostgreSQL benchmarks share: a scratch database of their own, and percentiles.

A benchmark creates a fresh database (``cc_bench_<random>``) next to the admin database given by
``TEST_POSTGRES_ADMIN_DSN`` (default: user postgres on 127.0.0.1:5432, as the tests), migrates it with
Alembic and drops it at the end, whatever ended the run. Nothing is cached between runs.
"""

from __future__ import annotations

import contextlib
import math
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import asyncpg  # type: ignore[import-untyped]

from callcenter.adapters.db.engine import upgrade

ADMIN_DSN = os.environ.get("TEST_POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True, slots=True)
class ScratchDatabase:
    name: str
    dsn: str  # for asyncpg
    url: str  # for SQLAlchemy (postgresql+asyncpg://…)


def _dsn_for(name: str) -> str:
    return ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"


@contextlib.asynccontextmanager
async def scratch_database(migrate: bool = True) -> AsyncIterator[ScratchDatabase]:
    """A fresh, migrated PostgreSQL database, dropped on the way out."""
    name = f"cc_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = _dsn_for(name)
    db = ScratchDatabase(name, dsn, dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        if migrate:
            await upgrade(db.url)
        yield db
    finally:
        admin = await asyncpg.connect(ADMIN_DSN, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``; NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f}"
