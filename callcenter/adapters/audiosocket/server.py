"""The live worker's AudioSocket server: Asterisk streams one party's voice per connection; every stream
is recognized while the call lasts and each result is published to Redis (docs/live-transcription.md).

Per connection: the first message names the stream (UUID); the tap registry says whose voice it is and
where it starts in the recording. Unknown UUID → closed at once (logged). More than ``max_streams`` at
once → refused (closed, counted): that call is transcribed after hangup only. Audio goes into a bounded
backlog that one task per stream hands to the recognizer in a thread pool (Vosk and CTranslate2 release the
GIL), so the socket is always read. A backlog over ``backlog_s`` seconds means the recognizer cannot keep
up: live recognition of that stream stops at that point (logged, counted), the socket is still drained,
and the rest is left to the after-call job — the recording holds everything. Hangup or end of stream
flushes the recognizer, stores ``covered`` and marks the side ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from redis.exceptions import RedisError

from callcenter.adapters.audiosocket.protocol import MAX_PAYLOAD, FrameKind, FrameParser, ProtocolError
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import LiveEvent, LiveKind, Tap, measured_offset, shifted, silence_to_insert
from callcenter.asr.model import Audio
from callcenter.asr.ports import LIVE_RATE, Heard, LiveEngine, LiveRecognizer
from callcenter.core.waiting import cancel_all

log = logging.getLogger(__name__)

READ_BYTES = 65536
FLUSH_WITHIN_S = 8.0  # at shutdown: the supervisor gives the worker 10 s before SIGKILL
Pcm = npt.NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class ServerOptions:
    max_streams: int
    backlog_s: float = 30.0  # audio waiting for the recognizer before live recognition gives up
    first_message_s: float = 5.0  # Asterisk sends the UUID at once
    min_batch_s: float = 0.1  # audio handed to the recognizer at once (fewer thread hand-offs, 5 frames)
    max_payload: int = MAX_PAYLOAD


@dataclass(slots=True)
class Counters:
    """What the server did since it started (logged at shutdown; read by tests and the benchmark)."""

    streams: int = 0  # accepted and recognized
    refused: int = 0  # over capacity
    unknown: int = 0  # UUID not in the tap registry
    malformed: int = 0  # protocol errors
    overflowed: int = 0  # recognizer fell behind by more than the backlog
    failed: int = 0  # recognizer or Redis errors
    finals: int = 0
    partials: int = 0


@dataclass(frozen=True, slots=True)
class _Opening:
    """What the first read of a connection brought."""

    stream: str | None  # None: closed (or hung up) before naming a stream
    early: list[Pcm] = field(default_factory=list)
    fault: ProtocolError | None = None
    ended: bool = False  # hangup (or an error message) came in the same read


@dataclass(slots=True)
class _Backlog:
    """Audio read but not yet recognized; ``None`` marks the end of the stream."""

    queue: asyncio.Queue[Pcm | None] = field(default_factory=asyncio.Queue)
    samples: int = 0  # queued or being recognized
    cut: bool = False  # live recognition stopped (overflow or failure): later audio is dropped
    first_audio_at: float | None = None  # wall clock when the stream's first audio arrived
    first_audio_mono: float | None = None  # the same on the monotonic clock, for gaps
    received: int = 0  # samples of the stream's time line so far (audio and the silence put in gaps)


class LiveTranscriptionServer:
    def __init__(
        self, engine: LiveEngine, store: RedisLiveTranscripts, executor: Executor, options: ServerOptions
    ) -> None:
        self._engine = engine
        self._store = store
        self._executor = executor
        self.options = options
        self.counters = Counters()
        self._min_batch = round(options.min_batch_s * LIVE_RATE)
        self.active = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._recognizers: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._connection, host, port)

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self, flush_within: float = FLUSH_WITHIN_S) -> None:
        """Stop listening; streams still open are flushed as if they had hung up, for at most
        ``flush_within`` seconds: what is not recognized by then is left to the after-call job, which decodes
        whatever the live transcript does not cover (nothing is lost, the stop is bounded)."""
        if self._server is not None:
            self._server.close()
        await cancel_all(self._connections, grace=flush_within)  # each waits for its recognizer's flush
        if await cancel_all(self._recognizers, grace=1.0):
            log.warning(
                "live ASR: streams not flushed in %.0f s; the after-call job decodes the rest", flush_within
            )
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self._server.wait_closed()
        log.info("live ASR server closed: %s", self.counters)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        parser = FrameParser(self.options.max_payload)
        try:
            await self._serve(reader, parser)
        except ProtocolError as exc:
            self.counters.malformed += 1
            log.error("AudioSocket from %s: malformed data, closing: %s", _peer(writer), exc)
        except (ConnectionError, TimeoutError) as exc:
            log.warning("AudioSocket from %s: connection lost: %r", _peer(writer), exc)
        except RedisError as exc:  # the tap registry cannot be read: this call is transcribed after hangup
            self.counters.failed += 1
            log.error("AudioSocket from %s: tap registry unavailable (%s); closing", _peer(writer), exc)
        except asyncio.CancelledError:  # the server is closing: the stream was flushed like a hangup
            log.info("AudioSocket from %s: closed at shutdown", _peer(writer))
        except Exception:  # a bug or an engine failure must not take the server down with it
            self.counters.failed += 1
            log.exception("AudioSocket from %s: stream failed; closing", _peer(writer))
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, parser: FrameParser) -> None:
        opening = await self._identify(reader, parser)
        stream = opening.stream
        if stream is None:
            return
        tap = await self._store.tap(stream)
        if tap is None:
            self.counters.unknown += 1
            log.error("AudioSocket stream %s: no such tap in the registry; closing", stream)
            return
        if self.active >= self.options.max_streams:
            self.counters.refused += 1
            log.warning(
                "call_id=%s %s: live stream refused, %d of %d streams busy; transcribed after hangup only",
                tap.call_id, tap.speaker, self.active, self.options.max_streams,
            )  # fmt: skip
            return
        self.active += 1
        self.counters.streams += 1
        try:
            await self._stream(tap, stream, reader, parser, opening)
        finally:
            self.active -= 1

    async def _identify(self, reader: asyncio.StreamReader, parser: FrameParser) -> _Opening:
        """The stream's UUID from the first message (anything else first is a protocol error), the audio
        read with it, and a fault found in the same read (raised once the stream's tap is known)."""
        async with asyncio.timeout(self.options.first_message_s):
            while True:
                data = await reader.read(READ_BYTES)
                if not data:
                    return _Opening(None)
                fault = None
                try:
                    frames = parser.feed(data)
                except ProtocolError as exc:
                    frames, fault = list(exc.frames), exc
                if not frames and fault is None:
                    continue
                if not frames or frames[0].kind is not FrameKind.UUID:
                    if frames and frames[0].kind is FrameKind.HANGUP:
                        return _Opening(None)
                    raise fault or ProtocolError(
                        f"first message is {frames[0].kind.name}, not the stream's UUID"
                    )
                early = [_pcm(f.payload) for f in frames[1:] if f.kind is FrameKind.AUDIO]
                ended = fault or any(f.kind in (FrameKind.HANGUP, FrameKind.ERROR) for f in frames[1:])
                return _Opening(frames[0].uuid, early, fault, bool(ended))

    async def _stream(
        self, tap: Tap, stream: str, reader: asyncio.StreamReader, parser: FrameParser, opening: _Opening
    ) -> None:
        loop = asyncio.get_running_loop()
        recognizer = await loop.run_in_executor(self._executor, self._engine.open_stream, tap.speaker)
        log.info(
            "call_id=%s %s: live stream %s open (offset %.2f s)",
            tap.call_id,
            tap.speaker,
            stream,
            tap.offset_s,
        )
        backlog = _Backlog()
        recognizing = asyncio.create_task(self._recognize(tap, recognizer, backlog))
        self._recognizers.add(recognizing)
        recognizing.add_done_callback(self._recognizers.discard)
        try:
            for pcm in opening.early:
                self._enqueue(tap, backlog, pcm)
            if opening.fault is not None:
                raise opening.fault
            if not opening.ended:
                await self._read(tap, reader, parser, backlog)
        finally:
            backlog.queue.put_nowait(None)
            await asyncio.shield(recognizing)

    async def _read(
        self, tap: Tap, reader: asyncio.StreamReader, parser: FrameParser, backlog: _Backlog
    ) -> None:
        while data := await reader.read(READ_BYTES):
            frames = parser.feed(data)
            self._fill_gap(
                tap, backlog, sum(len(f.payload) // 2 for f in frames if f.kind is FrameKind.AUDIO)
            )
            for frame in frames:
                if frame.kind is FrameKind.AUDIO:
                    self._enqueue(tap, backlog, _pcm(frame.payload))
                elif frame.kind is FrameKind.HANGUP:
                    return
                elif frame.kind is FrameKind.ERROR:
                    log.warning(
                        "call_id=%s %s: Asterisk sent error %r", tap.call_id, tap.speaker, frame.payload
                    )
                    return

    def _fill_gap(self, tap: Tap, backlog: _Backlog, arriving: int) -> None:
        """Silence where the party's phone sent nothing, so later audio keeps its place in the recording."""
        if backlog.first_audio_mono is None or not arriving:
            return
        elapsed = time.monotonic() - backlog.first_audio_mono
        gap = silence_to_insert(elapsed, (backlog.received + arriving) / LIVE_RATE)
        if gap > 0:
            log.info("call_id=%s %s: %.2f s without audio filled with silence", tap.call_id, tap.speaker, gap)
            self._enqueue(tap, backlog, np.zeros(round(gap * LIVE_RATE), dtype=np.int16))

    def _enqueue(self, tap: Tap, backlog: _Backlog, pcm: Pcm) -> None:
        if backlog.first_audio_at is None:
            backlog.first_audio_at, backlog.first_audio_mono = time.time(), time.monotonic()
        backlog.received += len(pcm)
        if backlog.cut:
            return
        if backlog.samples + len(pcm) > self.options.backlog_s * LIVE_RATE:
            backlog.cut = True
            self.counters.overflowed += 1
            log.warning(
                "call_id=%s %s: recognizer %.1f s behind; live transcription stops here, the rest is "
                "transcribed after hangup", tap.call_id, tap.speaker, backlog.samples / LIVE_RATE,
            )  # fmt: skip
            return
        backlog.samples += len(pcm)
        backlog.queue.put_nowait(pcm)

    async def _recognize(self, tap: Tap, recognizer: LiveRecognizer, backlog: _Backlog) -> None:
        """Hand the backlog to the recognizer batch by batch; at the end flush, store coverage, mark ended."""
        loop = asyncio.get_running_loop()
        publisher = _Publisher(self._store, tap, self.counters)
        ended = False
        while not ended:
            batch = [await backlog.queue.get()]
            while batch[-1] is not None and (not backlog.queue.empty() or _samples(batch) < self._min_batch):
                batch.append(await backlog.queue.get())  # the end of the stream (None) always comes
            ended = batch[-1] is None
            pcm = [p for p in batch if p is not None]
            publisher.place(measured_offset(tap, backlog.first_audio_at))
            if pcm and not publisher.broken:
                audio = Audio(np.concatenate(pcm).astype(np.float32) / 32768.0, LIVE_RATE)
                try:
                    await publisher.publish(
                        await loop.run_in_executor(self._executor, recognizer.accept, audio), recognizer
                    )
                except Exception:
                    self._fail(tap, backlog, publisher)
            backlog.samples -= _samples(pcm)  # counted until recognized: the lag is bounded
        try:
            if not publisher.broken:
                await publisher.publish(
                    await loop.run_in_executor(self._executor, recognizer.finish), recognizer, True
                )
            await self._store.mark_ended(tap.call_id, tap.speaker)
        except Exception:
            self._fail(tap, backlog, publisher)
        log.info(
            "call_id=%s %s: live stream ended, covered %.2f s", tap.call_id, tap.speaker, publisher.covered
        )

    def _fail(self, tap: Tap, backlog: _Backlog, publisher: _Publisher) -> None:
        self.counters.failed += 1
        backlog.cut, publisher.broken = True, True
        log.exception("call_id=%s %s: live recognition failed; after hangup only", tap.call_id, tap.speaker)


class _Publisher:
    """Turns a recognizer's results into events on the recording's time line and stores coverage.

    ``covered`` moves only after the finals before it are stored; after any failure it never moves again,
    so the after-call job never skips audio whose final is missing."""

    def __init__(self, store: RedisLiveTranscripts, tap: Tap, counters: Counters) -> None:
        self._store = store
        self._tap = tap
        self._counters = counters
        self.broken = False
        self.covered = 0.0
        self._placed = False
        self._start_stored = False

    def place(self, offset_s: float) -> None:
        """Fix where the stream starts in the recording, once, before anything is published."""
        if not self._placed:
            self._placed = True
            if offset_s != self._tap.offset_s:
                log.info(
                    "call_id=%s %s: stream starts at %.2f s of the recording (announced %.2f s)",
                    self._tap.call_id, self._tap.speaker, offset_s, self._tap.offset_s,
                )  # fmt: skip
            self._tap = replace(self._tap, offset_s=offset_s)

    async def publish(self, heard: list[Heard], recognizer: LiveRecognizer, last: bool = False) -> None:
        for item in heard:
            await self._store.publish(await self._event(item))
            if item.kind is LiveKind.FINAL:
                self._counters.finals += 1
            else:
                self._counters.partials += 1
        covered = self._tap.offset_s + recognizer.covered
        if last or (covered > self.covered and any(h.kind is LiveKind.FINAL for h in heard)):
            if not self._start_stored:  # before the coverage: a reader never sees one without the other
                await self._store.set_started(
                    self._tap.call_id, self._tap.speaker, round(self._tap.offset_s, 3)
                )
                self._start_stored = True
            await self._store.set_covered(self._tap.call_id, self._tap.speaker, round(covered, 3))
            self.covered = covered

    async def _event(self, heard: Heard) -> LiveEvent:
        seq = await self._store.next_seq(self._tap.call_id, self._tap.speaker)
        event = LiveEvent(
            self._tap.call_id,
            self._tap.speaker,
            heard.kind,
            seq,
            heard.text,
            heard.start,
            heard.end,
            heard.words,
        )
        return shifted(event, self._tap.offset_s)


def _samples(batch: list[Pcm | None] | list[Pcm]) -> int:
    return sum(len(p) for p in batch if p is not None)


def _pcm(payload: bytes) -> Pcm:
    return np.frombuffer(payload, dtype="<i2").astype(np.int16)


def _peer(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
