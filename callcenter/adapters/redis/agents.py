"""Live agent state in Redis: sessions, seat claims and the seats' activity, readable by every process.

Keys (``prefix`` default ``cc:agents``):

* ``<prefix>:session:<staff>``   hash  staff, server, seat, skills (comma-separated), since (ISO)
* ``<prefix>:seat:<server>|<seat>`` string staff id: who holds the seat (a claim expires unless the
  login completes, so a crashed login never blocks a seat)
* ``<prefix>:live``              hash  ``<server>|<seat>`` → JSON of the seat's ``SeatState``
* ``<prefix>:epoch``             string; missing = Redis lost our keys, the floor handler rebuilds them

Only the floor handler (the process running the AMI bridge) writes ``live``; sessions are written by
the session service and recovered by the floor handler from Asterisk's queue members.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from callcenter.core.actors import StaffId
from callcenter.core.errors import QueueUnavailable
from callcenter.queue.seats.agent_session import AgentSession, Skill
from callcenter.queue.seats.agents import AgentActivity, SeatKey, SeatState

CLAIM_SECONDS = 30  # a seat claimed by a login that never completed is free again after this
ORPHAN_GRACE = timedelta(seconds=30)  # a session this young may be a login still in progress
T = TypeVar("T")


class LiveStateUnavailable(QueueUnavailable):
    """Redis, which holds the live agent state, cannot be reached (HTTP 503)."""

    code = "live_state_unavailable"


def seat_json(seat: SeatState) -> dict[str, Any]:
    return {
        "server": seat.server,
        "interface": seat.interface,
        "name": seat.name,
        "queues": list(seat.queues),
        "activity": seat.activity.value,
        "pause_reason": seat.pause_reason,
        "since": seat.since.isoformat(),
    }


def seat_from_json(raw: str) -> SeatState:
    d = json.loads(raw)
    return SeatState(
        server=d["server"],
        interface=d["interface"],
        name=d["name"],
        queues=tuple(d["queues"]),
        activity=AgentActivity(d["activity"]),
        pause_reason=d["pause_reason"],
        since=datetime.fromisoformat(d["since"]),
    )


def _session_fields(session: AgentSession) -> dict[str, str]:
    return {
        "staff": session.staff,
        "server": session.server,
        "seat": session.seat,
        "skills": ",".join(session.skills),
        "since": session.since.isoformat(),
    }


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def _session_from(raw: Mapping[bytes | str, bytes | str]) -> AgentSession | None:
    fields = {_text(k): _text(v) for k, v in raw.items()}
    if not fields.get("seat"):
        return None
    skills = tuple(Skill(s) for s in fields.get("skills", "").split(",") if s in Skill.__members__.values())
    return AgentSession(
        StaffId(fields["staff"]),
        fields["server"],
        fields["seat"],
        skills,
        datetime.fromisoformat(fields["since"]),
    )


class RedisAgentState:
    def __init__(self, redis: Redis, prefix: str = "cc:agents") -> None:
        self._redis = redis
        self._prefix = prefix

    # -- keys ------------------------------------------------------------------------------------
    def _session_key(self, staff: str) -> str:
        return f"{self._prefix}:session:{staff}"

    def _seat_key(self, server: str, seat: str) -> str:
        return f"{self._prefix}:seat:{server}|{seat}"

    @property
    def _live(self) -> str:
        return f"{self._prefix}:live"

    @property
    def _epoch(self) -> str:
        return f"{self._prefix}:epoch"

    async def _call(self, work: Callable[[], Awaitable[T]]) -> T:
        try:
            return await work()
        except (RedisError, OSError) as exc:
            raise LiveStateUnavailable(f"live agent state unavailable: {exc}") from exc

    # -- sessions (SessionStore) -----------------------------------------------------------------
    async def session(self, staff: StaffId) -> AgentSession | None:
        fields = await self._call(lambda: self._redis.hgetall(self._session_key(staff)))
        return _session_from(fields)

    async def holder(self, server: str, seat: str) -> StaffId | None:
        value = await self._call(lambda: self._redis.get(self._seat_key(server, seat)))
        return StaffId(_text(value)) if value else None

    async def claim(self, server: str, seat: str, staff: StaffId) -> StaffId:
        key = self._seat_key(server, seat)

        async def work() -> StaffId:
            if await self._redis.set(key, staff, nx=True, ex=CLAIM_SECONDS):
                return staff
            return StaffId(_text(await self._redis.get(key)) or staff)

        return await self._call(work)

    async def save(self, session: AgentSession) -> None:
        async def work() -> None:
            async with self._redis.pipeline(transaction=True) as batch:
                pipe: Any = batch  # queued commands are not awaited one by one
                pipe.delete(self._session_key(session.staff))
                pipe.hset(self._session_key(session.staff), mapping=_session_fields(session))
                pipe.set(self._seat_key(session.server, session.seat), session.staff)
                await pipe.execute()

        await self._call(work)

    async def release(self, session: AgentSession) -> None:
        await self._call(lambda: self._drop(session.staff, session.server, session.seat, None))

    async def unclaim(self, server: str, seat: str, staff: StaffId) -> None:
        key = self._seat_key(server, seat)

        async def work() -> None:
            if _text(await self._redis.get(key)) == staff:
                await self._redis.delete(key)

        await self._call(work)

    async def _drop(self, staff: str, server: str, seat: str, older_than: datetime | None) -> None:
        """Delete ``staff``'s session on that seat (if it started before ``older_than``) and the claim."""
        session = _session_from(await self._redis.hgetall(self._session_key(staff)))
        if session is None or (session.server, session.seat) != (server, seat):
            return
        if older_than is not None and session.since >= older_than:
            return  # a new login on the seat, after the removal being written
        async with self._redis.pipeline(transaction=True) as batch:
            pipe: Any = batch  # queued commands are not awaited one by one
            pipe.delete(self._session_key(staff))
            pipe.delete(self._seat_key(server, seat))
            await pipe.execute()

    # -- seats -----------------------------------------------------------------------------------
    async def seat(self, server: str, seat: str) -> SeatState | None:
        raw = await self._call(lambda: self._redis.hget(self._live, f"{server}|{seat}"))
        return seat_from_json(_text(raw)) if raw else None

    async def seats(self) -> Sequence[SeatState]:
        raw = await self._call(lambda: self._redis.hgetall(self._live))
        return sorted((seat_from_json(_text(v)) for v in raw.values()), key=lambda s: (s.server, s.interface))

    # -- the floor handler's side (LiveSeatStore) ------------------------------------------------
    async def intact(self) -> bool:
        return bool(await self._redis.exists(self._epoch))

    async def write_seats(self, present: Sequence[SeatState], gone: Mapping[SeatKey, datetime]) -> None:
        """One round trip for the seats that changed; seats that left every queue lose their session."""
        fields = {f"{s.server}|{s.interface}": json.dumps(seat_json(s)) for s in present}
        async with self._redis.pipeline(transaction=False) as batch:
            pipe: Any = batch
            if fields:
                pipe.hset(self._live, mapping=fields)
            if gone:
                pipe.hdel(self._live, *(f"{server}|{seat}" for server, seat in gone))
                for server, seat in gone:
                    pipe.get(self._seat_key(server, seat))
            replies = await pipe.execute()
        holders = replies[-len(gone) :] if gone else []
        for (key, at), staff in zip(gone.items(), holders, strict=True):
            if staff:
                await self._drop(_text(staff), key[0], key[1], at)

    async def rebuild(
        self,
        seats: Sequence[SeatState],
        sessions: Sequence[AgentSession],
        servers: frozenset[str],
        now: datetime,
    ) -> None:
        """Rewrite everything from the floor: the seats, the sessions Asterisk knows (an existing session
        keeps its start), the claims; sessions of resynced servers whose seat is gone are dropped."""
        on_floor = {(s.server, s.interface) for s in seats}
        existing = await self._existing_sessions()
        async with self._redis.pipeline(transaction=True) as batch:
            pipe: Any = batch  # queued commands are not awaited one by one
            pipe.delete(self._live)
            if seats:
                pipe.hset(
                    self._live, mapping={f"{s.server}|{s.interface}": json.dumps(seat_json(s)) for s in seats}
                )
            for session in sessions:
                known = existing.get(session.staff)
                if known is None or (known.server, known.seat) != (session.server, session.seat):
                    pipe.delete(self._session_key(session.staff))
                    pipe.hset(self._session_key(session.staff), mapping=_session_fields(session))
                pipe.set(self._seat_key(session.server, session.seat), session.staff)
            pipe.set(self._epoch, "1")
            await pipe.execute()
        for staff, known in existing.items():
            if known.server in servers and (known.server, known.seat) not in on_floor:
                await self._drop(staff, known.server, known.seat, now - ORPHAN_GRACE)

    async def _existing_sessions(self) -> dict[str, AgentSession]:
        found: dict[str, AgentSession] = {}
        async for key in self._redis.scan_iter(match=self._session_key("*"), count=500):
            session = _session_from(await self._redis.hgetall(key))
            if session is not None:
                found[session.staff] = session
        return found
