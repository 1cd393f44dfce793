"""Staff accounts and login sessions in SQL; passwords hashed with Argon2id (argon2-cffi).

A session token is 32 random bytes given to the browser once; only its SHA-256 is stored, so a copy of
the database does not log anyone in. Argon2 runs in threads, at most ``hash_slots`` at once: each hash
holds the hasher's memory cost (64 MiB by default) while it runs, so the slots bound the memory that
concurrent logins can take; further logins wait their turn.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import sessions, staff
from callcenter.core.actors import Role, StaffId, UnitId
from callcenter.core.errors import InvalidInput
from callcenter.staff.model import SESSION_LIFETIME, InvalidCredentials, StaffMember
from callcenter.staff.passwords import check_password, password_problem

DEFAULT_HASH_SLOTS = 4
T = TypeVar("T")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _member(row: Any) -> StaffMember:
    unit = UnitId(row["unit_id"]) if row["unit_id"] else None
    must_change = bool(row["must_change_password"])
    return StaffMember(
        StaffId(row["id"]), row["display_name"], Role(row["role"]), unit, bool(row["active"]), must_change
    )


@dataclass(slots=True)
class HashSlots:
    """At most ``size`` Argon2 runs at once; counters for admins and tests (how busy, how many waited)."""

    size: int
    busy: int = 0
    waiting: int = 0
    peak: int = 0  # the most that ever ran at once
    done: int = 0  # hashes and verifications run since start-up
    _gate: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._gate = asyncio.Semaphore(self.size)

    async def run(self, work: Callable[[], T]) -> T:
        """``work`` in a thread once a slot is free. The slot is held until the thread ends, even when
        the caller is cancelled meanwhile (a thread cannot be stopped, and its memory is what counts)."""
        self.waiting += 1
        try:
            await self._gate.acquire()
        finally:
            self.waiting -= 1
        self.busy += 1
        self.peak = max(self.peak, self.busy)
        running = asyncio.ensure_future(asyncio.to_thread(work))
        running.add_done_callback(self._finished)
        return await asyncio.shield(running)

    def _finished(self, running: asyncio.Future[Any]) -> None:
        self.busy -= 1
        self.done += 1
        self._gate.release()
        if not running.cancelled():
            running.exception()  # retrieved: a cancelled caller never awaits it

    def stats(self) -> dict[str, int]:
        counts = {"busy": self.busy, "waiting": self.waiting, "peak": self.peak, "done": self.done}
        return {"slots": self.size, **counts}


class SqlStaffDirectory:
    def __init__(
        self, engine: AsyncEngine, hasher: PasswordHasher | None = None, hash_slots: int = DEFAULT_HASH_SLOTS
    ) -> None:
        self._engine = engine
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None
        self.hashing = HashSlots(hash_slots)

    def hash_stats(self) -> dict[str, int]:
        return self.hashing.stats()

    async def add(self, member: StaffMember, password: str, at: datetime, must_change: bool = False) -> None:
        """A new account; ``WeakPassword`` unless the password passes the strength rule, ``InvalidInput``
        if the login is taken or the unit does not exist."""
        check_password(password, member.id)
        hashed = await self._hash(password)
        row = {
            "id": member.id,
            "display_name": member.display_name.strip(),
            "role": member.role.value,
            "unit_id": member.unit,
            "password_hash": hashed,
            "active": member.active,
            "created_at": at,
            "must_change_password": must_change,
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(staff.insert().values(**row))
        except IntegrityError as exc:
            raise InvalidInput("login taken, or unknown unit", login=member.id, unit=member.unit) from exc

    async def all(self) -> list[StaffMember]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(staff).order_by(staff.c.role, staff.c.id))).mappings().all()
        return [_member(r) for r in rows]

    async def get(self, staff_id: str) -> StaffMember | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(staff).where(staff.c.id == staff_id))).mappings().first()
        return _member(row) if row else None

    async def set_password(self, staff_id: str, password: str, must_change: bool = False) -> None:
        """An admin's reset: every session of the account ends; ``must_change`` makes the member choose
        their own password at the next login."""
        check_password(password, staff_id)
        hashed = await self._hash(password)
        values = {"password_hash": hashed, "must_change_password": must_change}
        async with self._engine.begin() as conn:
            await conn.execute(update(staff).where(staff.c.id == staff_id).values(**values))
            await conn.execute(delete(sessions).where(sessions.c.staff_id == staff_id))

    async def change_password(self, staff_id: str, password: str, keep_token: str) -> None:
        """The member's own change: every other session of the account ends, ``keep_token``'s stays."""
        check_password(password, staff_id)
        hashed = await self._hash(password)
        values = {"password_hash": hashed, "must_change_password": False}
        others = (sessions.c.staff_id == staff_id) & (sessions.c.token_hash != token_hash(keep_token))
        async with self._engine.begin() as conn:
            await conn.execute(update(staff).where(staff.c.id == staff_id).values(**values))
            await conn.execute(delete(sessions).where(others))

    async def set_active(self, staff_id: str, active: bool) -> None:
        """停用/启用; disabling ends every session of the account at once."""
        async with self._engine.begin() as conn:
            await conn.execute(update(staff).where(staff.c.id == staff_id).values(active=active))
            if not active:
                await conn.execute(delete(sessions).where(sessions.c.staff_id == staff_id))

    async def authenticate(self, login: str, password: str) -> StaffMember:
        """The member, or ``InvalidCredentials`` — after the same Argon2 work whether or not the login
        exists, so that timing does not tell which logins are valid. A right password that no longer
        passes the strength rule still logs in, and marks the account to change it first."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(staff).where(staff.c.id == login))).mappings().first()
        stored = row["password_hash"] if row else await self._dummy_hash()
        if not await self._verify(stored, password) or row is None or not row["active"]:
            raise InvalidCredentials("wrong login or password")
        member = _member(row)
        if not member.must_change_password and password_problem(password, login) is not None:
            await self._require_change(login)
            member = replace(member, must_change_password=True)
        return member

    async def _require_change(self, staff_id: str) -> None:
        async with self._engine.begin() as conn:
            change = update(staff).where(staff.c.id == staff_id).values(must_change_password=True)
            await conn.execute(change)

    async def _hash(self, password: str) -> str:
        return await self.hashing.run(lambda: self._hasher.hash(password))

    async def _verify(self, stored: str, password: str) -> bool:
        return await self.hashing.run(lambda: self._verify_now(stored, password))

    def _verify_now(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password[:1024])
        except (VerificationError, InvalidHashError):
            return False

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self._hash(secrets.token_hex(16))
        return self._dummy

    async def open_session(self, member: StaffMember, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        row = {
            "token_hash": token_hash(token),
            "staff_id": member.id,
            "created_at": now,
            "expires_at": now + SESSION_LIFETIME,
        }
        async with self._engine.begin() as conn:
            await conn.execute(sessions.insert().values(**row))
        return token

    async def resolve(self, token: str, now: datetime) -> StaffMember | None:
        """The member behind a live session of an active account, else ``None``."""
        query = (
            select(staff, sessions.c.expires_at)
            .join(sessions, sessions.c.staff_id == staff.c.id)
            .where(sessions.c.token_hash == token_hash(token))
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None or not row["active"]:
            return None
        expires = _utc(row["expires_at"])
        return _member(row) if expires is not None and expires > now else None

    async def close_session(self, token: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash(token)))

    async def purge_expired(self, now: datetime) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
        return result.rowcount or 0
