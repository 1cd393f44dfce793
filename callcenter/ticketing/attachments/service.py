"""Attaching files to a work order: access through the order, type and limits checked while streaming.

Whoever may see the order may attach to it and read its attachments (``WorkOrders.get``: the units it
involves and hotline staff; another unit's order is ``NotFound``). One upload is all or nothing: every
file is checked and stored first, then all rows are inserted in one transaction; on any refusal the
files this upload created are removed again — files already attached are never touched. An order takes
at most ``max_files`` files and ``max_order_bytes`` in all (AttachmentLimits); both are checked as the
upload arrives and again inside the transaction. Attaching does not change the order or its version.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callcenter.core.actors import Actor
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.attachments.ports import AttachmentIndex, Blob, BlobStore, IncomingFile, OrderAccess
from callcenter.ticketing.orders.attachments import (
    DEFAULT_LIMITS,
    SNIFF_BYTES,
    Attachment,
    AttachmentId,
    AttachmentLimits,
    check_count,
    check_open,
    check_quota,
    safe_filename,
    sniff,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Download:
    attachment: Attachment
    path: Path


class Attachments:
    def __init__(
        self,
        orders: OrderAccess,
        index: AttachmentIndex,
        blobs: BlobStore[Any],
        clock: Clock,
        limits: AttachmentLimits = DEFAULT_LIMITS,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        self._orders = orders
        self._index = index
        self._blobs = blobs
        self._clock = clock
        self.limits = limits
        self._new_id = new_id or TimeOrderedIds(clock)

    async def upload(
        self, ticket_id: TicketId, actor: Actor, files: AsyncIterator[IncomingFile]
    ) -> list[Attachment]:
        """Store every file of one upload, or none of them."""
        order = await self._orders.get(ticket_id, actor)
        check_open(order.life.status)
        stored, stored_bytes = await self._index.usage(ticket_id)
        received: list[tuple[Attachment, Blob]] = []
        try:
            async for incoming in files:
                check_count(stored, len(received) + 1, self.limits)
                received.append(await self._receive(ticket_id, actor, incoming))
                check_quota(stored_bytes, sum(a.size for a, _ in received), self.limits)
            if not received:
                raise InvalidInput("no file: send one or more in the multipart field 'file'", field="file")
            await self._index.add(ticket_id, [(a, blob.path) for a, blob in received], self.limits)
        except BaseException:
            await self._discard([blob for _, blob in received])
            raise
        log.info("ticket %s: %d attachment(s) by %s", ticket_id, len(received), actor.id)
        return [a for a, _ in received]

    async def of_order(self, ticket_id: TicketId, actor: Actor) -> list[Attachment]:
        await self._orders.get(ticket_id, actor)
        return await self._index.of_ticket(ticket_id)

    async def download(self, attachment_id: str, actor: Actor) -> Download:
        """The file if ``actor`` may see its order; unknown, foreign and missing files are ``NotFound``."""
        found = await self._index.get(attachment_id)
        if found is None:
            raise NotFound("attachment not found", attachment_id=attachment_id)
        attachment, rel = found
        try:
            await self._orders.get(attachment.ticket_id, actor)
        except NotFound:  # another unit's file: the same answer as no file, not even its order's number
            raise NotFound("attachment not found", attachment_id=attachment_id) from None
        if not await self._blobs.exists(rel):
            log.error("attachment %s of ticket %s: file %s missing", attachment.id, attachment.ticket_id, rel)
            raise NotFound("attachment file not found", attachment_id=attachment_id)
        return Download(attachment, self._blobs.path_of(rel))

    async def _receive(
        self, ticket_id: TicketId, actor: Actor, incoming: IncomingFile
    ) -> tuple[Attachment, Blob]:
        chunks = incoming.chunks()
        async with self._blobs.receive(self.limits) as writer:
            head = await _read_head(chunks)
            kind = sniff(head)
            await writer.write(head)
            async for chunk in chunks:
                await writer.write(chunk)
            blob = await self._blobs.commit(writer)
        attachment = Attachment(
            id=AttachmentId(self._new_id()),
            ticket_id=ticket_id,
            uploaded_by=actor.id,
            unit=actor.unit,
            filename=safe_filename(incoming.filename, kind),
            content_type=kind.content_type,
            size=blob.size,
            sha256=blob.sha256,
            created_at=self._clock.now(),
        )
        return attachment, blob

    async def _discard(self, blobs: list[Blob]) -> None:
        """Remove the files this upload created, unless a row (another upload of the same bytes) uses them."""
        for blob in blobs:
            if blob.created and not await self._index.references(blob.path):
                await self._blobs.remove(blob.path)


class TimeOrderedIds:
    """UUIDv7-style ids (RFC 9562): the time in ms, then a counter, then random bits; ordered by creation
    within a process, so the files of one upload list in the order they were sent."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = 0

    def __call__(self) -> str:
        ms = int(self._clock.now().timestamp() * 1000)
        self._last = max(ms << 12, self._last + 1)
        high = ((self._last >> 12) << 80) | (0x7 << 76) | ((self._last & 0xFFF) << 64)
        return str(uuid.UUID(int=high | (0b10 << 62) | secrets.randbits(62)))


async def _read_head(chunks: AsyncIterator[bytes]) -> bytes:
    """At least ``SNIFF_BYTES`` bytes from the start of the file (fewer only if the file is shorter)."""
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = await anext(chunks, b"")
        if not chunk:
            break
        head += chunk
    return head
