"""``python -m callcenter retranscribe``: transcribe stored call recordings again with the configured engine.

For a better engine or model, new domain settings, or calls whose transcription failed. The engine runs in
this process (its model loaded once), one call at a time in a worker thread; a progress bar shows calls
done/total, audio minutes and the ETA. Each call's result is stored in its own transaction
(`callcenter.adapters.db.retranscription` has the rules: the transcript is replaced, the draft's text
only while no agent has touched it), so Ctrl-C keeps every call already finished; the call being decoded
is finished by its thread, then dropped. Bad audio gives that call its failure status and the batch goes on.
Dates are Asia/Shanghai calendar days of the call's arrival; ``--until`` is inclusive.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import TYPE_CHECKING

from callcenter.config.settings import Settings
from callcenter.core.clock import SHANGHAI, Clock, SystemClock
from callcenter.core.errors import AudioError

if TYPE_CHECKING:
    from callcenter.adapters.db.retranscription import SqlRetranscriptionStore, StoredResult
    from callcenter.asr.model import Transcript
    from callcenter.asr.ports import Transcriber
    from callcenter.calls.model import CallRecord

log = logging.getLogger(__name__)
PathMap = Callable[[str], str]


def add_arguments(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--call", dest="calls", action="append", default=[], metavar="CALL_ID", help="repeatable")
    sp.add_argument("--since", type=date.fromisoformat, default=None, help="YYYY-MM-DD (Asia/Shanghai)")
    sp.add_argument("--until", type=date.fromisoformat, default=None, help="YYYY-MM-DD, inclusive")
    sp.add_argument("--engine", dest="asr_engine", choices=("whisper", "vosk"), default=None)
    sp.add_argument("--dry-run", action="store_true", help="list the calls and their audio; change nothing")
    sp.add_argument("--no-progress", action="store_true", help="no progress bar (logs and CI)")


@dataclass
class Summary:
    calls: int = 0
    done: int = 0
    audio_seconds: float = 0.0
    busy_seconds: float = 0.0
    transcripts: Counter[str] = field(default_factory=Counter)
    drafts: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False

    def lines(self) -> list[str]:
        rtf = self.busy_seconds / self.audio_seconds if self.audio_seconds else 0.0
        head = "interrupted: " if self.interrupted else ""
        out = [
            f"{head}{self.done}/{self.calls} calls, {self.audio_seconds / 60:.1f} audio min "
            f"in {self.busy_seconds:.0f} s (RTF {rtf:.2f})",
            f"transcripts: {_counts(self.transcripts)}; drafts: {_counts(self.drafts)}",
        ]
        out += [f"failed {call_id}: {reason}" for call_id, reason in self.failures]
        return out


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{n} {name}" for name, n in sorted(counter.items())) or "none"


def day_window(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """[since 00:00, until+1 00:00) in Asia/Shanghai, as aware datetimes."""
    start = datetime.combine(since, day_time(), SHANGHAI).astimezone(UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), day_time(), SHANGHAI).astimezone(UTC) if until else None
    return start, end


def recording_seconds(path: str) -> float:
    """The file's duration from its header (0 when unreadable: it will fail properly later)."""
    import soundfile

    try:
        return float(soundfile.info(path).duration)
    except (OSError, RuntimeError, ValueError, soundfile.SoundFileError):
        return 0.0


def cmd_retranscribe(args: argparse.Namespace, settings: Settings) -> int:
    from callcenter.wiring.telephony import host_path_for

    return asyncio.run(retranscribe(args, settings, host_path_for(settings)))


async def retranscribe(args: argparse.Namespace, settings: Settings, host_path: PathMap) -> int:
    from callcenter.adapters.db.retranscription import SqlRetranscriptionStore
    from callcenter.wiring.stores import opened_engine

    async with opened_engine(settings) as engine:
        store = SqlRetranscriptionStore(engine)
        since, until = day_window(args.since, args.until)
        found = await store.recorded_calls(args.calls, since, until)
        missing = sorted(set(args.calls) - {c.call_id for c in found})
        for call_id in missing:
            print(f"no stored recording for call {call_id}", file=sys.stderr)
        if args.dry_run:
            return _dry_run(found, host_path)
        if not found:
            print("no stored recordings to transcribe")
            return 1 if missing else 0
        from callcenter.adapters.asr.factory import transcriber_from_config

        transcriber = transcriber_from_config(settings)
        summary = await run_batch(store, transcriber, found, host_path, progress=not args.no_progress)
    print("\n".join(summary.lines()))
    if summary.interrupted:
        return 130
    return 1 if summary.failures or missing else 0


def _dry_run(found: Sequence[CallRecord], host_path: PathMap) -> int:
    total = 0.0
    for call in found:
        assert call.recording is not None
        seconds = recording_seconds(host_path(call.recording.caller))
        total += seconds
        print(f"{call.call_id}\t{call.arrived_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}\t{seconds:.1f} s")
    print(f"{len(found)} calls, {total / 60:.1f} audio min (dry run: nothing changed)")
    return 0


async def run_batch(
    store: SqlRetranscriptionStore,
    transcriber: Transcriber,
    found: Sequence[CallRecord],
    host_path: PathMap,
    *,
    progress: bool = True,
    clock: Clock | None = None,
) -> Summary:
    """Transcribe and store each call in turn; on cancellation (Ctrl-C) stop and report what was done."""
    from tqdm import tqdm

    seconds = {c.call_id: _call_seconds(c, host_path) for c in found}
    summary = Summary(calls=len(found))
    total_minutes = sum(seconds.values()) / 60
    bar = tqdm(total=len(found), unit="call", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    try:
        for call in found:
            await _one(store, transcriber, call, host_path, summary, clock or SystemClock())
            summary.audio_seconds += seconds[call.call_id]
            bar.set_postfix_str(f"{summary.audio_seconds / 60:.1f}/{total_minutes:.1f} audio min")
            bar.update()
    except (asyncio.CancelledError, KeyboardInterrupt):
        summary.interrupted = True
    finally:
        bar.close()
    return summary


def _call_seconds(call: CallRecord, host_path: PathMap) -> float:
    assert call.recording is not None
    caller = recording_seconds(host_path(call.recording.caller))
    agent = recording_seconds(host_path(call.recording.agent)) if call.recording.agent else 0.0
    return max(caller, agent)


async def _one(
    store: SqlRetranscriptionStore,
    transcriber: Transcriber,
    call: CallRecord,
    host_path: PathMap,
    summary: Summary,
    clock: Clock,
) -> None:
    from callcenter.adapters.db.retranscription import TranscriptWrite
    from callcenter.ticketing.orders.drafting import draft_from_failure, draft_from_transcript

    assert call.recording is not None
    caller = host_path(call.recording.caller)
    agent = host_path(call.recording.agent) if call.recording.agent else ""  # one stereo file: no agent path
    started = time.perf_counter()
    try:
        transcript = await asyncio.to_thread(_transcribe, transcriber, caller, agent)
    except AudioError as exc:
        reason = str(exc.details.get("reason", exc.code))
        now = clock.now()
        result = await store.store(
            call.call_id, None, (reason, exc.message), draft_from_failure(call, reason, now), now
        )
        kept = " (the earlier good transcript is kept)" if result.transcript is TranscriptWrite.KEPT else ""
        summary.failures.append((call.call_id, reason + kept))
        log.warning("call_id=%s: re-transcription failed (%s): %s", call.call_id, reason, exc.message)
    else:
        now = clock.now()
        draft = draft_from_transcript(call, transcript, now)
        result = await store.store(call.call_id, transcript, None, draft, now)
        log.info("call_id=%s re-transcribed by %s", call.call_id, transcript.engine)
    finally:
        summary.busy_seconds += time.perf_counter() - started
    _count(summary, result)


def _count(summary: Summary, result: StoredResult) -> None:
    summary.done += 1
    summary.transcripts[result.transcript.value] += 1
    summary.drafts[result.draft.value] += 1


def _transcribe(transcriber: Transcriber, caller: str, agent: str) -> Transcript:
    from callcenter.adapters.asr.calls import transcribe_call

    return transcribe_call(transcriber, caller, agent)
