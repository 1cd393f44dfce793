"""The transcript → draft step (工单草稿): a finished transcription job becomes a stored transcript and
a draft work order, together (the pure drafting rules are in ``drafting``).

A job is acknowledged by the worker only after ``process`` returns, i.e. after the result is stored.
A redelivered job for a call already stored is recognised and not done twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

from callcenter.asr.model import Transcript
from callcenter.calls.model import CallRecord
from callcenter.calls.ports import CallRepository, TranscriptionJob
from callcenter.core.clock import Clock
from callcenter.core.errors import AudioError, NotFound
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.drafting import draft_from_failure, draft_from_transcript
from callcenter.ticketing.orders.ports import TranscriptionResults

log = logging.getLogger(__name__)

RunTranscription = Callable[[TranscriptionJob], Awaitable[Transcript]]
TRANSCRIPTION_FAILED = "transcription_failed"


class JobOutcome(StrEnum):
    STORED = "stored"
    AUDIO_FAILED = "audio_failed"  # stored as a flagged draft
    DUPLICATE = "duplicate"


class CallTranscription:
    def __init__(
        self, calls: CallRepository, results: TranscriptionResults, run: RunTranscription, clock: Clock
    ) -> None:
        self._calls = calls
        self._results = results
        self._run = run
        self._clock = clock

    async def process(self, job: TranscriptionJob) -> JobOutcome:
        if await self._results.exists(job.call_id):
            return JobOutcome.DUPLICATE
        call = await self._call(job.call_id)
        try:
            transcript = await self._run(job)
        except AudioError as exc:
            reason = str(exc.details.get("reason", exc.code))
            return await self._store_failure(call, reason, exc.message)
        ticket = draft_from_transcript(call, transcript, self._clock.now())
        stored = await self._results.store(call.call_id, transcript, None, ticket, self._clock.now())
        log.info("call_id=%s transcribed by %s; draft ticket stored", call.call_id, transcript.engine)
        return JobOutcome.STORED if stored else JobOutcome.DUPLICATE

    async def give_up(self, job: TranscriptionJob, why: str) -> JobOutcome:
        """After repeated failures: a flagged draft, so the citizen's call is still handled by hand."""
        call = await self._call(job.call_id)
        return await self._store_failure(call, TRANSCRIPTION_FAILED, why)

    async def _call(self, call_id: CallId) -> CallRecord:
        call = await self._calls.get(call_id)
        if call is None:
            raise NotFound(f"no call record for call_id={call_id}", call_id=call_id)
        return call

    async def _store_failure(self, call: CallRecord, reason: str, message: str) -> JobOutcome:
        log.warning("call_id=%s: no transcript (%s): %s", call.call_id, reason, message)
        ticket = draft_from_failure(call, reason, self._clock.now())
        stored = await self._results.store(call.call_id, None, (reason, message), ticket, self._clock.now())
        return JobOutcome.AUDIO_FAILED if stored else JobOutcome.DUPLICATE
