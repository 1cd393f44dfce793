"""A stand-in for the live worker's AudioSocket server: it keeps what Asterisk streams, nothing more.

Deliberately independent of the app's AudioSocket code (callcenter/adapters/audiosocket): these tests
check what Asterisk sends, so they parse the wire format themselves. Protocol: every message is one
kind byte, a 16-bit big-endian payload length and the payload; 0x01 the stream's UUID (16 bytes), 0x10
signed 16-bit little-endian 8 kHz mono PCM, 0x00 hangup (or the socket just closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import uuid
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

KIND_HANGUP, KIND_UUID, KIND_SLIN = 0x00, 0x01, 0x10
RATE = 8000


@dataclass
class Stream:
    """One AudioSocket connection as received."""

    tap_id: str = ""
    frame_sizes: list[int] = field(default_factory=list)  # payload bytes of every audio message
    other_kinds: list[int] = field(default_factory=list)  # kinds other than UUID/audio/hangup
    pcm: bytearray = field(default_factory=bytearray)
    ended_by: str = ""  # "hangup" (0x00 message) or "close" (the socket closed)
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def samples(self) -> npt.NDArray[np.float32]:
        return np.frombuffer(bytes(self.pcm), dtype="<i2").astype(np.float32)

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / RATE


class AudioSocketReceiver:
    """Listens on 127.0.0.1:``port``; every connection becomes a :class:`Stream`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: list[Stream] = []
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def by_id(self) -> dict[str, Stream]:
        return {s.tap_id: s for s in self.streams}

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stream = Stream()
        self.streams.append(stream)
        try:
            await self._read(reader, stream)
        except (asyncio.IncompleteReadError, ConnectionError):
            stream.ended_by = stream.ended_by or "close"
        finally:
            stream.ended.set()
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    @staticmethod
    async def _read(reader: asyncio.StreamReader, stream: Stream) -> None:
        while True:
            header = await reader.readexactly(3)
            kind, length = header[0], struct.unpack(">H", header[1:])[0]
            payload = await reader.readexactly(length)
            if kind == KIND_HANGUP:
                stream.ended_by = "hangup"
                return
            if kind == KIND_UUID:
                stream.tap_id = str(uuid.UUID(bytes=payload))
            elif kind == KIND_SLIN:
                stream.frame_sizes.append(length)
                stream.pcm.extend(payload)
            else:
                stream.other_kinds.append(kind)
