"""Call-flow handlers: load the call record, apply the pure rules, persist, hand on to transcription."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from callcenter.calls.events import CallArrived, CallEvent, JoinedQueue
from callcenter.calls.model import (
    CallRecord,
    RecordingFiles,
    apply,
    close_unobserved,
    empty_recording,
    mark_transcription_queued,
    start_call,
)
from callcenter.calls.ports import CallRepository, RecordingStore, TranscriptionJob, TranscriptionQueue
from callcenter.core.errors import QueueUnavailable
from callcenter.core.ids import CallId
from callcenter.core.pii import mask_number as mask_number  # numbers in logs: 138****8000

log = logging.getLogger(__name__)

PathMap = Callable[[str], str]  # a path as Asterisk sees it → the same file as this host sees it


class CallFlow:
    """Handles the domain events of calls, one at a time, in the order Asterisk sent them."""

    def __init__(
        self,
        calls: CallRepository,
        jobs: TranscriptionQueue,
        host_path: PathMap,
        recordings: RecordingStore | None = None,
    ) -> None:
        self._calls = calls
        self._jobs = jobs
        self._host_path = host_path
        self._recordings = recordings

    async def handle(self, event: CallEvent) -> CallRecord | None:
        record = await self._calls.get(event.call_id) or _first_sight_logged(event)
        if record is None:
            return None
        updated = apply(record, event)
        await self._calls.save(updated)
        await self._discard([(record.call_id, empty_recording(record, event))])
        if updated.ready_for_transcription:
            updated = await self.queue_transcription(updated)
        return updated

    async def handle_many(self, events: Sequence[CallEvent]) -> None:
        """A burst of events in their order: each call is loaded once, moved along by all its events and
        stored once, all in one transaction. Re-running a failed batch is safe: nothing was stored."""
        stored = await self._calls.get_many(list(dict.fromkeys(e.call_id for e in events)))
        current = dict(stored)
        changed: dict[CallId, CallRecord] = {}
        empty: list[tuple[CallId, RecordingFiles | None]] = []
        for event in events:
            record = current.get(event.call_id) or _first_sight_logged(event)
            if record is None:
                continue
            updated = apply(record, event)
            empty.append((record.call_id, empty_recording(record, event)))
            if updated != stored.get(event.call_id):
                changed[event.call_id] = updated
            current[event.call_id] = updated
        await self._calls.save_many(list(changed.values()))
        await self._discard(empty)
        for record in changed.values():
            if record.ready_for_transcription:
                await self.queue_transcription(record)

    async def _discard(self, empty: Sequence[tuple[CallId, RecordingFiles | None]]) -> None:
        """Delete the files of recordings that closed with nothing in them (after the records are stored:
        a failed delete only leaves header-only files behind, logged, never a lost event)."""
        if self._recordings is None:
            return
        for call_id, files in empty:
            if files is not None:
                await self._recordings.discard(call_id, files)

    async def queue_transcription(self, record: CallRecord) -> CallRecord:
        """Enqueue the call's recording; if Redis is down the flag stays off and a sweep retries."""
        assert record.recording is not None
        job = TranscriptionJob(
            call_id=record.call_id,
            caller_path=self._host_path(record.recording.caller),
            agent_path=self._host_path(record.recording.agent),
        )
        try:
            await self._jobs.enqueue(job)
        except QueueUnavailable as exc:
            log.warning("call_id=%s transcription not queued yet: %s", record.call_id, exc.message)
            return record
        queued = mark_transcription_queued(record)
        await self._calls.save(queued)
        return queued

    async def requeue_waiting(self) -> int:
        """Queue every ended call whose transcription was never queued (e.g. Redis was down)."""
        waiting = await self._calls.awaiting_transcription()
        for record in waiting:
            await self.queue_transcription(record)
        return len(waiting)

    async def recover_lost_jobs(self) -> int:
        """If Redis lost the job queue (restart without persistence), send again every call that was
        queued but has no transcript yet. A job sent twice is harmless: results are stored once."""
        if await self._jobs.is_intact():
            return 0
        await self._jobs.ensure_group()
        lost = await self._calls.queued_without_transcript()
        for record in lost:
            await self.queue_transcription(record)
        if lost:
            log.warning("job queue was lost; re-sent %d transcription jobs", len(lost))
        return len(lost)

    async def reconcile(self, server: str, live_call_ids: Collection[str], at: datetime) -> int:
        """After a reconnect: close calls whose channels vanished while the bridge was away."""
        closed = 0
        for record in await self._calls.unfinished(server):
            if record.call_id in live_call_ids:
                continue
            ended = close_unobserved(record, at)
            await self._calls.save(ended)
            log.warning("call_id=%s ended while AMI was disconnected; closed at resync", record.call_id)
            if ended.ready_for_transcription:
                await self.queue_transcription(ended)
            closed += 1
        return closed


def _first_sight_logged(event: CallEvent) -> CallRecord | None:
    record = first_sight(event)
    if record is not None:
        log.info("call_id=%s arrived from %s", record.call_id, mask_number(record.caller_number))
    return record


def first_sight(event: CallEvent) -> CallRecord | None:
    """A record for a call seen for the first time: on arrival, or in the queue after a bridge restart."""
    if isinstance(event, CallArrived):
        return start_call(event)
    if isinstance(event, JoinedQueue):
        arrival = CallArrived(
            call_id=event.call_id,
            at=event.at,
            caller_number=event.caller_number,
            channel=event.channel,
            dialed="",
        )
        return start_call(arrival)
    return None
