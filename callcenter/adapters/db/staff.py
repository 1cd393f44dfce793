"""Staff accounts and login sessions in SQL; passwords hashed with Argon2id (argon2-cffi).

A session token is 32 random bytes given to the browser once; only its SHA-256 is stored, so a copy of
the database does not log anyone in.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import sessions, staff
from callcenter.core.errors import InvalidInput
from callcenter.staff.model import (
    SESSION_LIFETIME,
    InvalidCredentials,
    StaffMember,
    check_password,
)
from callcenter.ticketing.actors import Role, StaffId, UnitId


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _member(row: Any) -> StaffMember:
    unit = UnitId(row["unit_id"]) if row["unit_id"] else None
    return StaffMember(StaffId(row["id"]), row["display_name"], Role(row["role"]), unit, bool(row["active"]))


class SqlStaffDirectory:
    def __init__(self, engine: AsyncEngine, hasher: PasswordHasher | None = None) -> None:
        self._engine = engine
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    async def add(self, member: StaffMember, password: str, at: datetime) -> None:
        """A new account; ``InvalidInput`` if the login is taken or the unit does not exist."""
        check_password(password)
        hashed = await asyncio.to_thread(self._hasher.hash, password)
        row = {
            "id": member.id,
            "display_name": member.display_name.strip(),
            "role": member.role.value,
            "unit_id": member.unit,
            "password_hash": hashed,
            "active": member.active,
            "created_at": at,
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

    async def set_password(self, staff_id: str, password: str) -> None:
        check_password(password)
        hashed = await asyncio.to_thread(self._hasher.hash, password)
        async with self._engine.begin() as conn:
            await conn.execute(update(staff).where(staff.c.id == staff_id).values(password_hash=hashed))
            await conn.execute(delete(sessions).where(sessions.c.staff_id == staff_id))

    async def authenticate(self, login: str, password: str) -> StaffMember:
        """The member, or ``InvalidCredentials`` — after the same Argon2 work whether or not the login
        exists, so that timing does not tell which logins are valid."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(staff).where(staff.c.id == login))).mappings().first()
        stored = row["password_hash"] if row else await self._dummy_hash()
        if not await asyncio.to_thread(self._verify, stored, password) or row is None or not row["active"]:
            raise InvalidCredentials("wrong login or password")
        return _member(row)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password[:1024])
        except (VerificationError, InvalidHashError):
            return False

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await asyncio.to_thread(self._hasher.hash, secrets.token_hex(16))
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
