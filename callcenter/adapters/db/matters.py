"""Matters (并单) in the database: open orders to match against, and the links between them.

Concurrency (ADR 0010): every change takes the matter's row first, then the tickets' rows in id order,
so two links, or a link and an undo, never wait for each other in a circle. A lock is a no-op UPDATE, which
on PostgreSQL locks the row and on SQLite takes the database's write lock before anything is read, so the
transaction never has to upgrade a read lock. Which matter a ticket belongs to is read before its lock is
taken, and checked again under it; when it changed in between, the attempt is retried. Escalation is an
``UPDATE … WHERE escalated_at IS NULL``: whatever happens, exactly one link reports ``escalate``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import matters, tickets
from callcenter.core.errors import ConcurrentUpdate
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import (
    DuplicateRules,
    MatterId,
    MatterMatch,
    OpenOrder,
    count_callers,
    should_escalate,
)
from callcenter.ticketing.matters.linking import LinkStep, Placed, plan_link
from callcenter.ticketing.matters.model import (
    AUTO,
    Matter,
    MatterLinked,
    MatterNotFound,
    MatterStatus,
    MatterTicket,
    MatterTicketNotFound,
    MatterUnlinked,
    NotInMatter,
    SelfLink,
)

log = logging.getLogger(__name__)
CLOSED_STATUSES = ("draft", "closed", "resolved_on_call")  # not open: never a candidate
ATTEMPTS = 5  # a ticket's matter changed under us this many times in a row: give up (ConcurrentUpdate)


def _aware(value: datetime | None) -> datetime:
    utc = _utc(value)
    assert utc is not None
    return utc


def _row_to_order(row: Mapping[Any, Any]) -> OpenOrder:
    return OpenOrder(
        ticket_id=TicketId(row["id"]),
        matter_id=MatterId(row["matter_id"]) if row["matter_id"] is not None else None,
        text=row["request_text"] or row["summary"],
        area_code=row["area_code"],
        category_code=row["category_code"],
        caller_number=row["caller_number"] or row["citizen_phone"],
        received_at=_aware(row["created_at"]),
    )


class SqlMatterIndex:
    """The ``MatterIndex`` port on the ``tickets`` and ``matters`` tables."""

    def __init__(self, engine: AsyncEngine, rules: DuplicateRules | None = None) -> None:
        self._engine = engine
        self._rules = rules or DuplicateRules()

    async def candidates(self, new: OpenOrder, rules: DuplicateRules, limit: int = 500) -> list[OpenOrder]:
        """Open orders received within the window around ``new``, newest first, at most ``limit``: of its
        area (and those without one) when it has an area, of any area otherwise (ix_tickets_area_created)."""
        at = new.received_at.astimezone(UTC)  # SQLite compares stored UTC text
        query = (
            select(*_ORDER_COLUMNS)
            .where(
                tickets.c.status.not_in(CLOSED_STATUSES),
                tickets.c.id != new.ticket_id,
                tickets.c.created_at.between(at - rules.window, at + rules.window),
            )
            .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
            .limit(limit)
        )
        if new.area_code:
            query = query.where(or_(tickets.c.area_code == new.area_code, tickets.c.area_code.is_(None)))
        if rules.same_category and new.category_code:  # as find_matter: a missing category does not block
            same = tickets.c.category_code == new.category_code
            query = query.where(or_(same, tickets.c.category_code.is_(None)))
        async with self._engine.connect() as conn:
            return [_row_to_order(r) for r in (await conn.execute(query)).mappings()]

    async def link(
        self, new_ticket_id: TicketId, match: MatterMatch, at: datetime, by: str = AUTO
    ) -> MatterLinked:
        """In one transaction: open the matter on the first duplicate (both orders join it), or the order on
        its own joins the other's matter, or (registration's links, ``by`` AUTO) two matters are merged
        (``linking.plan_link``); recount; escalate once. Linking again into the same matter changes
        nothing. A hand-made link of an order already in another matter is ``AlreadyInOtherMatter``."""
        if new_ticket_id == match.ticket_id:
            raise SelfLink("an order cannot duplicate itself", ticket_id=new_ticket_id)
        for _ in range(ATTEMPTS):
            seen = (await self._matter_id_of(new_ticket_id), await self._matter_id_of(match.ticket_id))
            async with self._engine.begin() as conn:
                linked = await self._link_once(conn, new_ticket_id, match, seen, at, by)
            if linked is not None:
                log.info(
                    "ticket_id=%s linked to matter %s (score %.2f): %d orders, %d callers%s",
                    new_ticket_id,
                    linked.matter_id,
                    match.score,
                    linked.ticket_count,
                    linked.caller_count,
                    ", escalated to supervision" if linked.escalate else "",
                )
                return linked
        raise ConcurrentUpdate("the orders kept changing matter", ticket_id=match.ticket_id)

    async def unlink(self, ticket_id: TicketId, by: str, at: datetime) -> MatterUnlinked:
        """Undo a wrong merge: the order leaves its matter; counts recomputed; a matter left with fewer than
        two orders is dissolved. An escalation already made stays (its supervision is handled on its own)."""
        for _ in range(ATTEMPTS):
            seen = await self._matter_id_of(ticket_id)
            if seen is None:
                raise NotInMatter("the order is not in a matter", ticket_id=ticket_id)
            async with self._engine.begin() as conn:
                unlinked = await self._unlink_once(conn, ticket_id, seen, by, at)
            if unlinked is not None:
                log.info(
                    "ticket_id=%s unlinked from matter %s by %s%s",
                    ticket_id,
                    unlinked.matter_id,
                    by,
                    ", matter dissolved" if unlinked.dissolved else "",
                )
                return unlinked
        raise ConcurrentUpdate("the order kept changing matter", ticket_id=ticket_id)

    async def matter(self, matter_id: MatterId) -> Matter:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(matters).where(matters.c.id == matter_id))).mappings().first()
        if row is None:
            raise MatterNotFound("no such matter", matter_id=matter_id)
        return _row_to_matter(row)

    async def tickets_of(self, matter_id: MatterId) -> list[MatterTicket]:
        """The orders of a matter, oldest first."""
        await self.matter(matter_id)
        query = (
            select(
                tickets.c.id,
                tickets.c.status,
                tickets.c.caller_number,
                tickets.c.summary,
                tickets.c.created_at,
            )
            .where(tickets.c.matter_id == matter_id)
            .order_by(tickets.c.created_at, tickets.c.id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            MatterTicket(
                TicketId(r["id"]), r["status"], r["caller_number"], r["summary"], _aware(r["created_at"])
            )
            for r in rows
        ]

    async def _matter_id_of(self, ticket_id: TicketId) -> MatterId | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tickets.c.matter_id).where(tickets.c.id == ticket_id))).first()
        if row is None:
            raise MatterTicketNotFound("no such order", ticket_id=ticket_id)
        return None if row.matter_id is None else MatterId(row.matter_id)

    async def matter_of(self, ticket_id: TicketId) -> MatterId | None:
        """The matter the order is in now (a later order's match may have linked it)."""
        return await self._matter_id_of(ticket_id)

    async def _link_once(
        self,
        conn: AsyncConnection,
        new_id: TicketId,
        match: MatterMatch,
        seen: tuple[MatterId | None, MatterId | None],
        at: datetime,
        by: str,
    ) -> MatterLinked | None:
        """None when either order's matter is no longer what was ``seen`` before the locks (retry).

        Locks: the matters seen, in id order; then the orders in id order, with every order of a matter
        that a merge absorbs (stable while its matter is locked), so no two links wait in a circle."""
        held = sorted({m for m in seen if m is not None})
        escalated = {m: await _lock_matter(conn, m) for m in held}
        new = Placed(new_id, seen[0], escalated.get(seen[0], False) if seen[0] is not None else False)
        old = Placed(
            match.ticket_id, seen[1], escalated.get(seen[1], False) if seen[1] is not None else False
        )
        plan = plan_link(new, old, merge=by == AUTO)
        moving = await _member_ids(conn, plan.absorbed) if plan.absorbed is not None else ()
        rows = await _lock_tickets(conn, (new_id, match.ticket_id), also=moving)
        if (rows[new_id]["matter_id"], rows[match.ticket_id]["matter_id"]) != seen:
            return None
        if plan.step is LinkStep.ALREADY:
            assert plan.into is not None
            same = await self._counts(conn, plan.into, escalate=False, opened=False)
            return replace(same, already=True)
        entry = _entry("link", new_id, by, at, matched=match.ticket_id, score=round(match.score, 3))
        matter_id = plan.into
        if matter_id is None:
            matter_id = await _open(conn, rows[match.ticket_id], rows[new_id], at)
        await _join(conn, matter_id, plan.joining)
        if plan.absorbed is not None:
            await _absorb(conn, matter_id, plan.absorbed, moving, entry)
            entry = {**entry, "merged": plan.absorbed, "moved": list(moving)}
        await _recount(conn, matter_id, entry)
        escalate = await self._escalate(conn, matter_id, at)
        linked = await self._counts(conn, matter_id, escalate=escalate, opened=plan.into is None)
        return replace(linked, absorbed=plan.absorbed)

    async def _unlink_once(
        self, conn: AsyncConnection, ticket_id: TicketId, seen: MatterId, by: str, at: datetime
    ) -> MatterUnlinked | None:
        await _lock_matter(conn, seen)
        rows = await _lock_tickets(conn, (ticket_id,))
        if rows[ticket_id]["matter_id"] != seen:
            return None
        await _join(conn, None, (ticket_id,))
        entry = _entry("unlink", ticket_id, by, at)
        remaining = await _members(conn, seen)
        if len(remaining) < 2:
            await _dissolve(conn, seen, [TicketId(r["id"]) for r in remaining], entry)
            return MatterUnlinked(ticket_id, seen, 0, 0, dissolved=True)
        await _recount(conn, seen, entry)
        linked = await self._counts(conn, seen, escalate=False, opened=False)
        return MatterUnlinked(ticket_id, seen, linked.ticket_count, linked.caller_count, dissolved=False)

    async def _escalate(self, conn: AsyncConnection, matter_id: MatterId, at: datetime) -> bool:
        row = (await conn.execute(select(matters).where(matters.c.id == matter_id))).mappings().one()
        if not should_escalate(row["caller_count"], row["escalated_at"] is not None, self._rules):
            return False
        result = await conn.execute(
            update(matters)
            .where(matters.c.id == matter_id, matters.c.escalated_at.is_(None))
            .values(escalated_at=at)
        )
        return result.rowcount == 1

    async def _counts(
        self, conn: AsyncConnection, matter_id: MatterId, escalate: bool, opened: bool
    ) -> MatterLinked:
        query = select(matters.c.ticket_count, matters.c.caller_count).where(matters.c.id == matter_id)
        row = (await conn.execute(query)).one()
        return MatterLinked(matter_id, row.ticket_count, row.caller_count, escalate=escalate, opened=opened)


_ORDER_COLUMNS = (
    tickets.c.id,
    tickets.c.matter_id,
    tickets.c.request_text,
    tickets.c.summary,
    tickets.c.area_code,
    tickets.c.category_code,
    tickets.c.caller_number,
    tickets.c.citizen_phone,
    tickets.c.created_at,
)


async def _lock_matter(conn: AsyncConnection, matter_id: MatterId) -> bool:
    """Lock the matter's row; whether it is escalated already."""
    await conn.execute(update(matters).where(matters.c.id == matter_id).values(status=matters.c.status))
    query = select(matters.c.escalated_at).where(matters.c.id == matter_id)
    return (await conn.execute(query)).scalar_one_or_none() is not None


async def _lock_tickets(
    conn: AsyncConnection, ids: Iterable[TicketId], also: Iterable[TicketId] = ()
) -> dict[TicketId, Mapping[Any, Any]]:
    """Lock the rows of ``ids`` and ``also`` in id order and read those of ``ids``; MatterTicketNotFound
    when one of ``ids`` does not exist."""
    wanted = set(ids)
    rows: dict[TicketId, Mapping[Any, Any]] = {}
    for ticket_id in sorted(wanted | set(also)):
        await conn.execute(
            update(tickets).where(tickets.c.id == ticket_id).values(matter_id=tickets.c.matter_id)
        )
        if ticket_id not in wanted:
            continue
        row = (
            (await conn.execute(select(*_ORDER_COLUMNS).where(tickets.c.id == ticket_id))).mappings().first()
        )
        if row is None:
            raise MatterTicketNotFound("no such order", ticket_id=ticket_id)
        rows[ticket_id] = row
    return rows


async def _member_ids(conn: AsyncConnection, matter_id: MatterId) -> tuple[TicketId, ...]:
    return tuple(TicketId(r["id"]) for r in await _members(conn, matter_id))


async def _absorb(
    conn: AsyncConnection,
    into: MatterId,
    absorbed: MatterId,
    moving: Sequence[TicketId],
    entry: dict[str, Any],
) -> None:
    """A merge: the absorbed matter's orders move into ``into``; it stays, marked merged, for its trail."""
    await _join(conn, into, moving)
    trail = {**entry, "action": "merged_into", "into": into, "moved": list(moving)}
    await conn.execute(
        update(matters)
        .where(matters.c.id == absorbed)
        .values(
            status=MatterStatus.MERGED.value,
            ticket_count=0,
            caller_count=0,
            history=await _history(conn, absorbed) + [trail],
        )
    )


async def _open(
    conn: AsyncConnection, old: Mapping[Any, Any], new: Mapping[Any, Any], at: datetime
) -> MatterId:
    """A matter for the matched order; its place and category are the matched order's (else the new one's)."""
    result = await conn.execute(
        matters.insert().values(
            area_code=old["area_code"] or new["area_code"],
            category_code=old["category_code"] or new["category_code"],
            first_ticket_id=old["id"],
            opened_at=at,
            last_seen_at=at,
            ticket_count=0,
            caller_count=0,
            status=MatterStatus.OPEN.value,
            history=[],
        )
    )
    assert result.inserted_primary_key is not None
    return MatterId(result.inserted_primary_key[0])


async def _join(conn: AsyncConnection, matter_id: MatterId | None, ids: Sequence[TicketId]) -> None:
    if ids:
        await conn.execute(update(tickets).where(tickets.c.id.in_(ids)).values(matter_id=matter_id))


async def _members(conn: AsyncConnection, matter_id: MatterId) -> Sequence[Mapping[Any, Any]]:
    query = (
        select(tickets.c.id, tickets.c.caller_number, tickets.c.citizen_phone, tickets.c.created_at)
        .where(tickets.c.matter_id == matter_id)
        .order_by(tickets.c.created_at, tickets.c.id)
    )
    return (await conn.execute(query)).mappings().all()


async def _recount(conn: AsyncConnection, matter_id: MatterId, entry: dict[str, Any]) -> None:
    """Counts, first order and receipt span from the orders in the matter now; the entry on the trail."""
    members = await _members(conn, matter_id)
    await conn.execute(
        update(matters)
        .where(matters.c.id == matter_id)
        .values(
            ticket_count=len(members),
            caller_count=count_callers(m["caller_number"] or m["citizen_phone"] for m in members),
            first_ticket_id=members[0]["id"],
            opened_at=min(_aware(m["created_at"]) for m in members),
            last_seen_at=max(_aware(m["created_at"]) for m in members),
            history=await _history(conn, matter_id) + [entry],
        )
    )


async def _dissolve(
    conn: AsyncConnection, matter_id: MatterId, remaining: Sequence[TicketId], entry: dict[str, Any]
) -> None:
    await _join(conn, None, remaining)
    await conn.execute(
        update(matters)
        .where(matters.c.id == matter_id)
        .values(
            status=MatterStatus.DISSOLVED.value,
            ticket_count=0,
            caller_count=0,
            history=await _history(conn, matter_id) + [entry],
        )
    )


async def _history(conn: AsyncConnection, matter_id: MatterId) -> list[dict[str, Any]]:
    row = (await conn.execute(select(matters.c.history).where(matters.c.id == matter_id))).first()
    return list(row.history or []) if row else []


def _entry(action: str, ticket_id: TicketId, by: str, at: datetime, **more: Any) -> dict[str, Any]:
    return {"action": action, "ticket_id": ticket_id, "by": by, "at": at.isoformat(), **more}


def _row_to_matter(row: Mapping[Any, Any]) -> Matter:
    return Matter(
        id=MatterId(row["id"]),
        status=MatterStatus(row["status"]),
        area_code=row["area_code"],
        category_code=row["category_code"],
        first_ticket_id=TicketId(row["first_ticket_id"]),
        opened_at=_aware(row["opened_at"]),
        last_seen_at=_aware(row["last_seen_at"]),
        ticket_count=row["ticket_count"],
        caller_count=row["caller_count"],
        escalated_at=_utc(row["escalated_at"]),
        history=tuple(row["history"] or ()),
    )
