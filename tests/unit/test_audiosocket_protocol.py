"""The AudioSocket parser: frames out of bytes in any split, a clear error for anything malformed."""

from __future__ import annotations

import itertools
import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.adapters.audiosocket.protocol import (
    FRAME_BYTES,
    MAX_PAYLOAD,
    Frame,
    FrameKind,
    FrameParser,
    ProtocolError,
    audio_message,
    encode,
    hangup_message,
    uuid_message,
)

STREAM = "0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b"


def parse_all(data: bytes, cuts: list[int]) -> tuple[list[Frame], str | None]:
    """Feed ``data`` cut at ``cuts``; the frames before any fault and the fault's message."""
    parser, frames = FrameParser(), []
    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    for start, end in itertools.pairwise(bounds):
        try:
            frames += parser.feed(data[start:end])
        except ProtocolError as exc:
            return frames + list(exc.frames), str(exc)
    return frames, None


def test_a_call_as_asterisk_sends_it() -> None:
    pcm = bytes(range(256)) + bytes(64)
    data = uuid_message(STREAM) + audio_message(pcm) + encode(FrameKind.DTMF, b"5") + hangup_message()
    frames = FrameParser().feed(data)
    assert [f.kind for f in frames] == [FrameKind.UUID, FrameKind.AUDIO, FrameKind.DTMF, FrameKind.HANGUP]
    assert frames[0].uuid == STREAM
    assert frames[1].payload == pcm and len(pcm) == FRAME_BYTES
    assert frames[0].payload == uuid.UUID(STREAM).bytes


def test_the_header_is_kind_then_big_endian_length() -> None:
    assert audio_message(b"\x01\x02" * 160)[:3] == b"\x10\x01\x40"
    assert hangup_message() == b"\x00\x00\x00"


def test_an_incomplete_frame_waits_for_more_bytes() -> None:
    parser = FrameParser()
    message = audio_message(bytes(FRAME_BYTES))
    assert parser.feed(message[:100]) == []
    assert parser.pending == 100
    assert parser.feed(message[100:]) == [Frame(FrameKind.AUDIO, bytes(FRAME_BYTES))]
    assert parser.pending == 0


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        (b"\x42\x00\x00", "unknown message kind 0x42"),
        (b"\x02", "unknown message kind 0x02"),  # known from the first byte alone
        (b"\x01\x00\x04abcd", "UUID message of 4 bytes (must be 16)"),
        (b"\x03\x00\x02ab", "DTMF message of 2 bytes (must be 1)"),
        (b"\x10\x00\x03abc", "audio message of odd length 3"),
        (b"\x10\xff\xfe", f"AUDIO message of 65534 bytes is over the {MAX_PAYLOAD}-byte limit"),
    ],
)
def test_malformed_messages_are_named(data: bytes, fault: str) -> None:
    parser = FrameParser()
    with pytest.raises(ProtocolError, match=re.escape(fault)):
        parser.feed(data)
    with pytest.raises(ProtocolError):  # a broken stream stays broken
        parser.feed(hangup_message())


def test_frames_before_a_fault_are_kept() -> None:
    data = uuid_message(STREAM) + audio_message(bytes(320)) + b"\x77"
    with pytest.raises(ProtocolError) as caught:
        FrameParser().feed(data)
    assert [f.kind for f in caught.value.frames] == [FrameKind.UUID, FrameKind.AUDIO]


def test_the_error_kind_carries_its_code() -> None:
    assert FrameParser().feed(encode(FrameKind.ERROR, b"\x02")) == [Frame(FrameKind.ERROR, b"\x02")]


messages = st.one_of(
    st.binary(min_size=0, max_size=400).map(lambda b: audio_message(b[: len(b) // 2 * 2])),
    st.uuids().map(lambda u: uuid_message(str(u))),
    st.sampled_from("0123456789*#").map(lambda d: encode(FrameKind.DTMF, d.encode())),
    st.just(hangup_message()),
    st.binary(max_size=4).map(lambda b: encode(FrameKind.ERROR, b)),
)


@given(st.lists(messages, max_size=12), st.lists(st.integers(min_value=0, max_value=10_000), max_size=8))
def test_any_split_of_valid_messages_gives_the_same_frames(chunks: list[bytes], cuts: list[int]) -> None:
    data = b"".join(chunks)
    whole, fault = parse_all(data, [])
    assert fault is None and len(whole) == len(chunks)
    assert parse_all(data, cuts) == (whole, None)


@given(st.binary(max_size=600), st.lists(st.integers(min_value=0, max_value=10_000), max_size=8))
def test_arbitrary_bytes_never_crash_and_any_split_agrees(data: bytes, cuts: list[int]) -> None:
    whole = parse_all(data, [])  # only ProtocolError may escape FrameParser.feed
    assert parse_all(data, cuts) == whole
    frames, fault = whole
    assert fault is not None or sum(3 + len(f.payload) for f in frames) <= len(data)
