"""An RTP capture (pcap) of a WAV file, for sipp's ``play_pcap_audio``.

sipp replays the UDP payloads of the capture with their original spacing, so the file holds one PCMU packet
per 20 ms. The addresses inside are placeholders: sipp sends to the media address Asterisk's SDP gives.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from callcenter_sim.phones.audio import RATE, Pcm, ulaw_encode

PTIME_MS = 20
SAMPLES_PER_PACKET = RATE * PTIME_MS // 1000
PCMU = 0
_LINKTYPE_ETHERNET = 1
_SRC_IP = bytes([127, 0, 0, 1])
_DST_IP = bytes([127, 0, 0, 1])


def write_rtp_pcap(path: Path, samples: Pcm, src_port: int = 6000, dst_port: int = 6002) -> float:
    """Write ``samples`` (8 kHz int16) as PCMU RTP packets; returns the audio duration in seconds."""
    payload = ulaw_encode(samples)
    ssrc = random.getrandbits(32)
    seq0, ts0 = random.getrandbits(15), random.getrandbits(31)
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, _LINKTYPE_ETHERNET))
        for index, start in enumerate(range(0, len(payload), SAMPLES_PER_PACKET)):
            chunk = payload[start : start + SAMPLES_PER_PACKET].ljust(SAMPLES_PER_PACKET, b"\xff")
            rtp = struct.pack("!BBHII", 0x80, PCMU, (seq0 + index) & 0xFFFF, ts0 + start, ssrc) + chunk
            _write_packet(out, index * PTIME_MS * 1000, _frame(rtp, src_port, dst_port))
    return len(samples) / RATE


TELEPHONE_EVENT = 101  # the payload type Asterisk offers for RFC 4733 telephone-events
DIGIT_MS = 200
_EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}


def write_answer_pcap(
    path: Path,
    length_s: float,
    keys: Sequence[tuple[float, str]] = (),
    speech: Pcm | None = None,
    speech_at_s: float = 0.0,
    event_payload: int = TELEPHONE_EVENT,
) -> float:
    """A phone's side of a call for ``length_s`` seconds: silence (PCMU), ``speech`` from ``speech_at_s``,
    and each (seconds, digits) of ``keys`` as RFC 4733 telephone-events of ``DIGIT_MS`` per digit (marker on
    the first packet, three end packets), one stream (one SSRC, consecutive sequence numbers). For a
    phone that answers and keys or speaks: sipp sends what ``play_pcap_audio`` replays as it stands, so the
    event payload type must be the one the SDP answer names. Returns the stream's length in seconds."""
    frames = int(length_s * 1000) // PTIME_MS
    audio = np.full(frames * SAMPLES_PER_PACKET, 0, dtype=np.int16)
    if speech is not None:
        start = int(speech_at_s * RATE)
        audio[start : start + len(speech)] = speech[: max(len(audio) - start, 0)]
    payload = ulaw_encode(audio)
    events = _event_frames(keys)
    ssrc = random.getrandbits(32)
    seq0, ts0 = random.getrandbits(15), random.getrandbits(31)
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, _LINKTYPE_ETHERNET))
        for index in range(frames):
            if index in events:
                event, start_index, end = events[index]
                marker = 0x80 if index == start_index else 0
                duration = (index - start_index + 1) * SAMPLES_PER_PACKET
                body = struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
                head = struct.pack("!BBHII", 0x80, marker | event_payload, (seq0 + index) & 0xFFFF,
                                   ts0 + start_index * SAMPLES_PER_PACKET, ssrc)  # fmt: skip
            else:
                body = payload[index * SAMPLES_PER_PACKET : (index + 1) * SAMPLES_PER_PACKET]
                head = struct.pack("!BBHII", 0x80, PCMU, (seq0 + index) & 0xFFFF,
                                   ts0 + index * SAMPLES_PER_PACKET, ssrc)  # fmt: skip
            _write_packet(out, index * PTIME_MS * 1000, _frame(head + body, 6000, 6002))
    return frames * PTIME_MS / 1000


def _event_frames(keys: Sequence[tuple[float, str]]) -> dict[int, tuple[int, int, bool]]:
    """Frame index → (event code, the digit's first frame, last packets of the digit)."""
    per_digit = DIGIT_MS // PTIME_MS
    frames: dict[int, tuple[int, int, bool]] = {}
    for at_s, digits in keys:
        for n, digit in enumerate(digits):
            if digit not in _EVENTS:
                raise ValueError(f"not a DTMF digit: {digit!r}")
            first = int(at_s * 1000) // PTIME_MS + n * (per_digit + 3)  # a 60 ms gap between digits
            for i in range(per_digit):
                frames[first + i] = (_EVENTS[digit], first, i >= per_digit - 3)
    return frames


def _frame(rtp: bytes, src_port: int, dst_port: int) -> bytes:
    """Ethernet + IPv4 + UDP around one RTP packet (UDP checksum 0 = not computed, valid for IPv4)."""
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(rtp), 0) + rtp
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, _SRC_IP, _DST_IP)
    ip = header[:10] + struct.pack("!H", _ip_checksum(header)) + header[12:]
    ethernet = b"\x00" * 12 + b"\x08\x00"
    return ethernet + ip + udp


def _ip_checksum(header: bytes) -> int:
    words: tuple[int, ...] = struct.unpack(f"!{len(header) // 2}H", header)
    total = sum(words)
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _write_packet(out: BinaryIO, micros: int, frame: bytes) -> None:
    seconds, usec = divmod(micros, 1_000_000)
    out.write(struct.pack("<IIII", seconds, usec, len(frame), len(frame)) + frame)
