"""Attachment rows (table ``attachments``, SQLAlchemy Core): which file belongs to which order, by whom.

The row holds the display name, the sniffed type, size, hash and the path relative to the store's root.
Rows of one upload are inserted in one transaction: all of the request's files or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import attachments
from callcenter.core.actors import StaffId, UnitId
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.attachments import (
    Attachment,
    AttachmentId,
    AttachmentLimits,
    check_count,
    check_quota,
)


def attachment_row(item: Attachment, path: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "ticket_id": item.ticket_id,
        "uploaded_by": item.uploaded_by,
        "unit_id": item.unit,
        "filename": item.filename,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "storage_path": path,
        "created_at": item.created_at,
    }


def row_to_attachment(row: Mapping[Any, Any]) -> Attachment:
    created = _utc(row["created_at"])
    assert created is not None
    return Attachment(
        id=AttachmentId(row["id"]),
        ticket_id=TicketId(row["ticket_id"]),
        uploaded_by=StaffId(row["uploaded_by"]),
        unit=UnitId(row["unit_id"]) if row["unit_id"] else None,
        filename=row["filename"],
        content_type=row["content_type"],
        size=row["size"],
        sha256=row["sha256"],
        created_at=created,
    )


async def _usage(conn: AsyncConnection, ticket_id: TicketId) -> tuple[int, int]:
    query = select(func.count(), func.coalesce(func.sum(attachments.c.size), 0)).where(
        attachments.c.ticket_id == ticket_id
    )
    count, size = (await conn.execute(query)).one()
    return int(count), int(size)


class SqlAttachmentIndex:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def count(self, ticket_id: TicketId) -> int:
        return (await self.usage(ticket_id))[0]

    async def usage(self, ticket_id: TicketId) -> tuple[int, int]:
        """How many files the order has, and their bytes together."""
        async with self._engine.connect() as conn:
            return await _usage(conn, ticket_id)

    async def add(
        self, ticket_id: TicketId, items: Sequence[tuple[Attachment, str]], limits: AttachmentLimits
    ) -> None:
        """Insert the rows of one upload, the count and the quota checked again inside the transaction."""
        async with self._engine.begin() as conn:
            count, size = await _usage(conn, ticket_id)
            check_count(count, len(items), limits)
            check_quota(size, sum(a.size for a, _ in items), limits)
            await conn.execute(attachments.insert(), [attachment_row(a, p) for a, p in items])

    async def of_ticket(self, ticket_id: TicketId) -> list[Attachment]:
        query = select(attachments).where(attachments.c.ticket_id == ticket_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.order_by(attachments.c.id))).mappings()  # time-ordered ids
            return [row_to_attachment(r) for r in rows]

    async def get(self, attachment_id: str) -> tuple[Attachment, str] | None:
        """The attachment and its stored path, or None."""
        query = select(attachments).where(attachments.c.id == attachment_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else (row_to_attachment(row), row["storage_path"])

    async def references(self, path: str) -> int:
        query = select(func.count()).select_from(attachments).where(attachments.c.storage_path == path)
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())
