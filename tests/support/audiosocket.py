"""An AudioSocket client that sends what Asterisk sends (UUID, 20 ms slin frames, hangup), and the speech
to send: shared 8 kHz Mandarin clips joined with pauses like one side of a call. Used by the live
transcription tests, the Asterisk-tap tests and bench/live_capacity.py."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from callcenter.adapters.asr.audio import load_mono, pcm16
from callcenter.adapters.audiosocket.protocol import FRAME_BYTES, audio_message, hangup_message, uuid_message

RATE = 8000


@dataclass(frozen=True, slots=True)
class Clip:
    """16-bit PCM at 8 kHz, and where each utterance starts and ends in it (seconds)."""

    pcm: bytes
    texts: tuple[str, ...]
    spans: tuple[tuple[float, float], ...]

    @property
    def duration(self) -> float:
        return len(self.pcm) / 2 / RATE


def joined_clip(utterances: list[tuple[Path, str]], pause_s: float = 1.2, lead_s: float = 0.5) -> Clip:
    """The utterances one after the other with ``pause_s`` of silence between (and ``lead_s`` around)."""
    parts: list[npt.NDArray[np.float32]] = [np.zeros(round(lead_s * RATE), np.float32)]
    spans, at = [], lead_s
    for path, _text in utterances:
        samples = load_mono(path, rate=RATE).samples
        spans.append((at, at + len(samples) / RATE))
        parts += [samples, np.zeros(round(pause_s * RATE), np.float32)]
        at += len(samples) / RATE + pause_s
    pcm = pcm16(np.concatenate(parts)).astype("<i2").tobytes()
    return Clip(pcm, tuple(text for _path, text in utterances), tuple(spans))


def noise(seconds: float, level_dbfs: float, seed: int = 7) -> bytes:
    """White noise at ``level_dbfs`` RMS as 8 kHz PCM (a hissing line, nobody speaking)."""
    rng = np.random.default_rng(seed)
    samples = rng.standard_normal(round(seconds * RATE)).astype(np.float32) * 10 ** (level_dbfs / 20)
    return pcm16(samples).astype("<i2").tobytes()


class AudioSocketClient:
    """One stream, as Asterisk's AudioSocket channel opens it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, host: str, port: int, stream: str | None = None) -> AudioSocketClient:
        reader, writer = await asyncio.open_connection(host, port)
        client = cls(reader, writer)
        if stream is not None:
            await client.send(uuid_message(stream))
        return client

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def stream(self, pcm: bytes, *, realtime: bool = False, frame_bytes: int = FRAME_BYTES) -> None:
        """``pcm`` in 20 ms frames; ``realtime`` paces them as a call does (else as fast as it can)."""
        start = time.monotonic()
        for index, at in enumerate(range(0, len(pcm), frame_bytes)):
            await self.send(audio_message(pcm[at : at + frame_bytes]))
            if realtime:
                due = start + (index + 1) * frame_bytes / 2 / RATE
                await asyncio.sleep(max(0.0, due - time.monotonic()))

    async def hangup(self) -> None:
        with contextlib.suppress(ConnectionError):
            await self.send(hangup_message())
        await self.close()

    async def closed_by_server(self, within: float = 10.0) -> bool:
        """True once the server closed the connection (EOF), False if it is still open after ``within``."""
        try:
            async with asyncio.timeout(within):
                while await self.reader.read(4096):
                    pass
        except TimeoutError:
            return False
        except ConnectionError:
            return True
        return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()
