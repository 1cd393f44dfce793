"""The AudioSocket wire protocol (Asterisk ``res_audiosocket``), as a pure incremental parser.

A message is a 3-byte header — kind (1 byte), payload length (2 bytes, unsigned, big-endian) — and the
payload. Kinds: 0x00 hangup (socket close means the same), 0x01 the stream's UUID (16 bytes, binary),
0x03 one DTMF digit (1 byte, ASCII), 0x10 audio (signed 16-bit little-endian mono PCM, 8 kHz from the
``AudioSocket`` application and from the channel driver when slin is negotiated), 0xff an error (optional
application-specific code). Asterisk sends the UUID message first, then audio in 20 ms frames (320 bytes).

The parser accepts bytes in any split and returns complete frames; anything malformed raises
:class:`ProtocolError` naming the rule broken, and the parser stays broken (the connection must close).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import IntEnum

HEADER_BYTES = 3
UUID_BYTES = 16
AUDIO_RATE = 8000
FRAME_SECONDS = 0.02
FRAME_BYTES = 2 * round(AUDIO_RATE * FRAME_SECONDS)  # 320: one 20 ms frame of 8 kHz slin
# Asterisk sends 20 ms frames (320 bytes); more than 0.5 s in one message is not audio from a phone call.
MAX_PAYLOAD = 8000


class FrameKind(IntEnum):
    HANGUP = 0x00
    UUID = 0x01
    DTMF = 0x03
    AUDIO = 0x10
    ERROR = 0xFF


KINDS = frozenset(int(kind) for kind in FrameKind)


class ProtocolError(ValueError):
    """Malformed AudioSocket data. ``frames`` holds the frames completed before the fault."""

    def __init__(self, message: str, frames: tuple[Frame, ...] = ()) -> None:
        super().__init__(message)
        self.frames = frames


@dataclass(frozen=True, slots=True)
class Frame:
    kind: FrameKind
    payload: bytes = b""

    @property
    def uuid(self) -> str:
        """The stream's UUID in canonical text form (only for UUID frames)."""
        return str(uuid.UUID(bytes=self.payload))


def _check_header(kind: int, length: int, max_payload: int) -> str | None:
    """The rule a header breaks, or None."""
    if kind not in KINDS:
        return f"unknown message kind 0x{kind:02x}"
    if length > max_payload:
        return f"{FrameKind(kind).name} message of {length} bytes is over the {max_payload}-byte limit"
    if kind == FrameKind.UUID and length != UUID_BYTES:
        return f"UUID message of {length} bytes (must be {UUID_BYTES})"
    if kind == FrameKind.DTMF and length != 1:
        return f"DTMF message of {length} bytes (must be 1)"
    if kind == FrameKind.AUDIO and length % 2:
        return f"audio message of odd length {length} (16-bit samples)"
    return None


class FrameParser:
    """Bytes in, frames out. Not thread-safe; one per connection."""

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self._buffer = bytearray()
        self._max_payload = max_payload
        self._fault: str | None = None

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        if self._fault is not None:
            raise ProtocolError(self._fault)
        self._buffer += data
        frames: list[Frame] = []
        while True:
            frame = self._next()
            if frame is None:
                return frames
            if isinstance(frame, str):
                self._fault = frame
                raise ProtocolError(frame, tuple(frames))
            frames.append(frame)

    def _next(self) -> Frame | str | None:
        """A complete frame, the fault found, or None when more bytes are needed."""
        buffer = self._buffer
        if not buffer:
            return None
        if buffer[0] not in KINDS:  # known from the first byte: no need to wait for the length
            return f"unknown message kind 0x{buffer[0]:02x}"
        if len(buffer) < HEADER_BYTES:
            return None
        kind, length = buffer[0], int.from_bytes(buffer[1:3], "big")
        fault = _check_header(kind, length, self._max_payload)
        if fault is not None:
            return fault
        if len(buffer) < HEADER_BYTES + length:
            return None
        payload = bytes(buffer[HEADER_BYTES : HEADER_BYTES + length])
        del buffer[: HEADER_BYTES + length]
        return Frame(FrameKind(kind), payload)


def encode(kind: FrameKind, payload: bytes = b"") -> bytes:
    """One message on the wire (what Asterisk sends; used by test clients and the benchmark)."""
    if len(payload) > 0xFFFF:
        raise ValueError("an AudioSocket payload is at most 65535 bytes")
    return bytes([kind]) + len(payload).to_bytes(2, "big") + payload


def uuid_message(stream: str) -> bytes:
    return encode(FrameKind.UUID, uuid.UUID(stream).bytes)


def audio_message(pcm: bytes) -> bytes:
    return encode(FrameKind.AUDIO, pcm)


def hangup_message() -> bytes:
    return encode(FrameKind.HANGUP)
