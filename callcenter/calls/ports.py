"""Ports the call flow needs; adapters implement them (adapters/db, adapters/redis)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from callcenter.calls.model import CallRecord, RecordingFiles
from callcenter.core.ids import CallId


class CallRepository(Protocol):
    async def get(self, call_id: CallId) -> CallRecord | None: ...
    async def get_many(self, call_ids: Sequence[CallId]) -> dict[CallId, CallRecord]: ...
    async def save(self, record: CallRecord) -> None: ...
    async def save_many(self, records: Sequence[CallRecord]) -> None: ...
    async def recent(self, limit: int, offset: int = 0) -> Sequence[CallRecord]: ...
    async def unfinished(self, server: str) -> Sequence[CallRecord]: ...
    async def awaiting_transcription(self) -> Sequence[CallRecord]: ...
    async def queued_without_transcript(self) -> Sequence[CallRecord]: ...


@dataclass(frozen=True, slots=True)
class TranscriptionJob:
    """One ended call to transcribe. Paths are as this host sees them."""

    call_id: CallId
    caller_path: str
    agent_path: str


class TranscriptionQueue(Protocol):
    """A durable queue: a job stays until a worker acknowledges it after storing the result."""

    async def enqueue(self, job: TranscriptionJob) -> str: ...
    async def ensure_group(self) -> None: ...
    async def is_intact(self) -> bool: ...


class RecordingStore(Protocol):
    """The recording files on disk (callcenter/adapters/recording_files.py)."""

    async def discard(self, call_id: CallId, files: RecordingFiles) -> None:
        """Delete an empty recording's three files, each only if it lies in the recordings directory."""
        ...
