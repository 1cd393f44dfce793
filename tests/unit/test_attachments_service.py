"""Attaching files to a work order (附件) over in-memory fakes of our own ports: one upload is all or
nothing, access goes through the order, a foreign order's file is simply not found."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.clock import FixedClock
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.attachments.ports import Blob
from callcenter.ticketing.attachments.service import Attachments
from callcenter.ticketing.orders.attachments import (
    Attachment,
    AttachmentId,
    AttachmentLimits,
    AttachmentsClosed,
    AttachmentTypeRefused,
    TooManyAttachments,
)
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
OURS, FOREIGN, CLOSED = TicketId(1), TicketId(2), TicketId(3)
STAFF = Actor(StaffId("u-1"), Role.UNIT_STAFF, UnitId("housing-bureau"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
PDF = b"%PDF-1.7\n" + b"1" * 32


class Orders:
    """``WorkOrders.get``: ``FOREIGN`` belongs to another unit; ``CLOSED`` takes no more files."""

    async def get(self, ticket_id: TicketId, actor: Actor) -> WorkOrder:
        if ticket_id == FOREIGN:
            raise NotFound("ticket not found", ticket_id=ticket_id)
        status = TicketStatus.CLOSED if ticket_id == CLOSED else TicketStatus.IN_PROGRESS
        return cast(WorkOrder, SimpleNamespace(life=SimpleNamespace(status=status)))


class Writer:
    def __init__(self) -> None:
        self.data = b""

    async def write(self, chunk: bytes) -> None:
        self.data += chunk


class InMemoryBlobs:
    """``BlobStore``: content-addressed bytes in a dict."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    @asynccontextmanager
    async def receive(self, limits: AttachmentLimits) -> AsyncIterator[Writer]:
        yield Writer()

    async def commit(self, writer: Writer) -> Blob:
        sha = hashlib.sha256(writer.data).hexdigest()
        created = sha not in self.files
        self.files[sha] = writer.data
        return Blob(sha, len(writer.data), sha, created)

    def path_of(self, rel: str) -> Path:
        return Path("/blobs") / rel

    async def remove(self, rel: str) -> None:
        del self.files[rel]

    async def exists(self, rel: str) -> bool:
        return rel in self.files


class InMemoryIndex:
    """``AttachmentIndex``: rows in a list."""

    def __init__(self) -> None:
        self.rows: list[tuple[Attachment, str]] = []

    async def usage(self, ticket_id: TicketId) -> tuple[int, int]:
        mine = [a for a, _ in self.rows if a.ticket_id == ticket_id]
        return len(mine), sum(a.size for a in mine)

    async def add(
        self, ticket_id: TicketId, items: Sequence[tuple[Attachment, str]], limits: AttachmentLimits
    ) -> None:
        self.rows.extend(items)

    async def of_ticket(self, ticket_id: TicketId) -> list[Attachment]:
        return [a for a, _ in self.rows if a.ticket_id == ticket_id]

    async def get(self, attachment_id: str) -> tuple[Attachment, str] | None:
        return next(((a, p) for a, p in self.rows if a.id == attachment_id), None)

    async def references(self, path: str) -> int:
        return sum(1 for _, p in self.rows if p == path)


@dataclass
class Incoming:
    filename: str
    data: bytes

    async def chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), 16):
            yield self.data[start : start + 16]


async def files(*items: Incoming) -> AsyncIterator[Incoming]:
    for item in items:
        yield item


def service(limits: AttachmentLimits | None = None) -> tuple[Attachments, InMemoryIndex, InMemoryBlobs]:
    index, blobs = InMemoryIndex(), InMemoryBlobs()
    return Attachments(Orders(), index, blobs, FixedClock(NOW), limits or AttachmentLimits()), index, blobs


async def test_an_upload_stores_every_file_and_its_row_by_whom_and_when() -> None:
    attachments, index, blobs = service()
    stored = await attachments.upload(OURS, STAFF, files(Incoming("spot.png", PNG), Incoming("a.pdf", PDF)))
    assert [(a.content_type, a.uploaded_by, a.unit, a.created_at) for a in stored] == [
        ("image/png", "u-1", "housing-bureau", NOW),
        ("application/pdf", "u-1", "housing-bureau", NOW),
    ]
    assert await attachments.of_order(OURS, STAFF) == stored and len(blobs.files) == 2
    assert [a for a, _ in index.rows] == stored


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        ((Incoming("spot.png", PNG), Incoming("evil.exe", b"MZ" + b"\0" * 40)), AttachmentTypeRefused),
        ((Incoming("a.png", PNG), Incoming("b.pdf", PDF), Incoming("c.png", PNG + b"1")), TooManyAttachments),
        ((), InvalidInput),
    ],
    ids=["bad-type", "too-many", "empty"],
)
async def test_a_refused_upload_stores_nothing_and_removes_the_files_it_wrote(
    upload: tuple[Incoming, ...], error: type[Exception]
) -> None:
    attachments, index, blobs = service(AttachmentLimits(max_files=2))
    with pytest.raises(error):
        await attachments.upload(OURS, STAFF, files(*upload))
    assert (index.rows, blobs.files) == ([], {})


async def test_a_closed_order_takes_no_files_and_a_foreign_one_is_not_found() -> None:
    attachments, index, _ = service()
    with pytest.raises(AttachmentsClosed):
        await attachments.upload(CLOSED, STAFF, files(Incoming("spot.png", PNG)))
    with pytest.raises(NotFound):
        await attachments.upload(FOREIGN, STAFF, files(Incoming("spot.png", PNG)))
    assert index.rows == []


async def test_a_download_is_found_through_its_order_and_a_foreign_or_missing_file_is_not() -> None:
    attachments, index, blobs = service()
    [stored] = await attachments.upload(OURS, STAFF, files(Incoming("spot.png", PNG)))
    found = await attachments.download(stored.id, STAFF)
    assert (found.attachment, found.path) == (stored, Path("/blobs") / stored.sha256)
    index.rows.append((replace(stored, id=AttachmentId("foreign"), ticket_id=FOREIGN), "x"))
    for unknown in ("foreign", "nothing"):
        with pytest.raises(NotFound):
            await attachments.download(unknown, STAFF)
    blobs.files.clear()
    with pytest.raises(NotFound):
        await attachments.download(stored.id, STAFF)
