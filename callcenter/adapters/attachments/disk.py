"""Attachment bytes on disk, content-addressed: ``<root>/ab/cd/<sha256>``.

An upload is written to a temporary file under ``<root>/tmp`` while its size is counted and its hash
computed; only a complete file within the limit is renamed into place (``os.replace`` is atomic on one
file system), so a reader never sees a partial file and a refused upload leaves nothing behind. The same
bytes uploaded twice are stored once. Paths come from the hash, never from the client's file name.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from callcenter.adapters.private_files import DIR_MODE, private_dir
from callcenter.core.errors import NotFound
from callcenter.ticketing.attachments.ports import Blob
from callcenter.ticketing.orders.attachments import AttachmentLimits, check_size

TMP = "tmp"


class BlobWriter:
    """One upload in progress (the ``BlobWriter`` port): counts, hashes and writes its temporary file."""

    def __init__(self, file: BinaryIO, path: Path, limits: AttachmentLimits) -> None:
        self.file = file
        self.path = path
        self._limits = limits
        self._hash = hashlib.sha256()
        self.size = 0

    async def write(self, chunk: bytes) -> None:
        """``AttachmentTooLarge`` before a byte beyond the limit is written."""
        check_size(self.size + len(chunk), self._limits)
        self.size += len(chunk)
        self._hash.update(chunk)
        await asyncio.to_thread(self.file.write, chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class DiskBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    async def ensure(self) -> None:
        """Create the directory tree (at start-up), private to the service (0700; files are 0600 from
        mkstemp, and keep that mode when renamed into place)."""
        await asyncio.to_thread(private_dir, self.root / TMP)
        await asyncio.to_thread(private_dir, self.root)

    @contextlib.asynccontextmanager
    async def receive(self, limits: AttachmentLimits) -> AsyncIterator[BlobWriter]:
        """A writer for one upload; on leaving (committed or not) its temporary file is gone."""
        await self.ensure()
        fd, tmp_name = await asyncio.to_thread(tempfile.mkstemp, prefix="upload-", dir=self.root / TMP)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as file:
                yield BlobWriter(file, tmp, limits)
        finally:
            await asyncio.to_thread(tmp.unlink, missing_ok=True)

    async def commit(self, writer: BlobWriter) -> Blob:
        """Flush the writer's file and move it to its content address (inside ``receive``)."""
        sha = writer.sha256
        rel = f"{sha[:2]}/{sha[2:4]}/{sha}"
        created = await asyncio.to_thread(self._place, writer, self.root / rel)
        return Blob(sha, writer.size, rel, created)

    def path_of(self, rel: str) -> Path:
        """The file of a stored blob; a path outside the store (a corrupt row) is ``NotFound``."""
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root) or path.parent.parent.parent != self.root:
            raise NotFound("attachment file not found", path=rel)
        return path

    async def remove(self, rel: str) -> None:
        await asyncio.to_thread(self.path_of(rel).unlink, missing_ok=True)

    async def exists(self, rel: str) -> bool:
        return await asyncio.to_thread(self.path_of(rel).is_file)

    async def leftovers(self) -> list[Path]:
        """Temporary files present now (none when no upload is in progress)."""
        return await asyncio.to_thread(lambda: sorted((self.root / TMP).glob("*")))

    @staticmethod
    def _place(writer: BlobWriter, target: Path) -> bool:
        writer.file.flush()
        os.fsync(writer.file.fileno())
        if target.exists():
            return False
        for folder in (target.parent.parent, target.parent):
            folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.replace(writer.path, target)
        return True
