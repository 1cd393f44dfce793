"""The UTF-8 fix: Chinese text split across TCP reads arrives whole (panoramisk 1.4 drops it)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcenter.adapters.ami.protocol import Utf8AMIProtocol, split_messages, strip_banner

EVENT = "Event: Newchannel\r\nCallerIDName: 张三李四\r\nUniqueid: 1.1\r\n\r\n".encode()


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def dispatch(self, message: Any) -> None:
        self.events.append(message)


def feed(chunks: list[bytes]) -> list[Any]:
    protocol = Utf8AMIProtocol()
    protocol.connection_made(transport=None)
    recorder = Recorder()
    protocol.factory = recorder
    for chunk in chunks:
        protocol.data_received(chunk)
    return recorder.events


def test_chinese_name_split_inside_a_character_survives() -> None:
    cut = EVENT.index("张".encode()) + 1  # inside the 3 UTF-8 bytes of 张
    events = feed([b"Asterisk Call Manager/11.0.0\r\n" + EVENT[:cut], EVENT[cut:]])
    assert [e["CallerIDName"] for e in events] == ["张三李四"]


@given(st.lists(st.integers(min_value=1, max_value=len(EVENT) * 3 - 1), max_size=8))
def test_any_split_of_a_stream_gives_the_same_messages(cuts: list[int]) -> None:
    stream = EVENT * 3
    points = sorted(set(cuts))
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    events = feed(chunks)
    assert [e["CallerIDName"] for e in events] == ["张三李四"] * 3


def test_incomplete_message_waits_for_the_rest() -> None:
    complete, rest = split_messages(b"Event: A\r\n\r\nEvent: B\r\n")
    assert complete == [b"Event: A"] and rest == b"Event: B\r\n"


def test_banner_is_taken_off() -> None:
    version, rest = strip_banner(b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n")
    assert version == "11.0.0" and rest == b"Response: Success\r\n"


def test_garbage_bytes_do_not_break_the_stream() -> None:
    events = feed([b"\xff\xfe\x00garbage\r\n\r\n", EVENT])
    assert [e["CallerIDName"] for e in events] == ["张三李四"]
