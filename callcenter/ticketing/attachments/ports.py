"""Ports of attaching files to work orders; adapters implement them (adapters/attachments: ``disk.py``
stores the bytes, ``sql.py`` the rows)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from callcenter.core.actors import Actor
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.attachments import Attachment, AttachmentLimits
from callcenter.ticketing.orders.workorder import WorkOrder


@dataclass(frozen=True, slots=True)
class Blob:
    """Stored bytes, content-addressed."""

    sha256: str
    size: int
    path: str  # relative to the store's root
    created: bool  # False when the same bytes were stored already


class BlobWriter(Protocol):
    async def write(self, chunk: bytes) -> None:
        """``AttachmentTooLarge`` before a byte beyond the limit is written."""
        ...


W = TypeVar("W", bound=BlobWriter)


class BlobStore(Protocol[W]):
    """Where the bytes go (DiskBlobStore): an upload is written aside and committed whole, or not at all."""

    def receive(self, limits: AttachmentLimits) -> AbstractAsyncContextManager[W]:
        """A writer for one upload; on leaving (committed or not) its temporary file is gone."""
        ...

    async def commit(self, writer: W) -> Blob:
        """Move the writer's bytes to their content address (inside ``receive``)."""
        ...

    def path_of(self, rel: str) -> Path:
        """The file of a stored blob; a path outside the store is ``NotFound``."""
        ...

    async def remove(self, rel: str) -> None: ...

    async def exists(self, rel: str) -> bool: ...


class AttachmentIndex(Protocol):
    """Which file belongs to which order (SqlAttachmentIndex)."""

    async def usage(self, ticket_id: TicketId) -> tuple[int, int]:
        """How many files the order has, and their bytes together."""
        ...

    async def add(
        self, ticket_id: TicketId, items: Sequence[tuple[Attachment, str]], limits: AttachmentLimits
    ) -> None:
        """Insert the rows of one upload in one transaction, the count and the quota checked again
        inside it (``check_count``, ``check_quota``), so two concurrent uploads cannot both overrun."""
        ...

    async def of_ticket(self, ticket_id: TicketId) -> list[Attachment]: ...

    async def get(self, attachment_id: str) -> tuple[Attachment, str] | None:
        """The attachment and its stored path, or None."""
        ...

    async def references(self, path: str) -> int:
        """How many rows use the stored file."""
        ...


class OrderAccess(Protocol):
    """``WorkOrders.get``: the order if ``actor`` may see it, else ``NotFound``."""

    async def get(self, ticket_id: TicketId, actor: Actor) -> WorkOrder: ...


class IncomingFile(Protocol):
    """One file of an upload, read once, in chunks."""

    @property
    def filename(self) -> str: ...

    def chunks(self) -> AsyncIterator[bytes]: ...
