"""Joining live finals with the after-call tail (callcenter/asr/stitch.py)."""

from __future__ import annotations

import numpy as np

from callcenter.asr.model import Audio, Segment, Speaker, Word
from callcenter.asr.stitch import LiveSide, covered_segments, joined_to_head, remaining, shifted, stitched

CALLER = Speaker.CALLER


def seg(start: float, end: float, text: str, speaker: Speaker = CALLER) -> Segment:
    return Segment(speaker, start, end, text, (Word(text, start, end, 0.9),))


def test_the_remaining_audio_starts_where_the_live_finals_end() -> None:
    audio = Audio(np.arange(8000 * 3, dtype=np.float32), 8000)
    tail = remaining(audio, 1.25)
    assert tail.rate == 8000 and tail.samples[0] == 10_000 and tail.duration == 1.75


def test_covered_beyond_the_end_or_before_the_start_is_clamped() -> None:
    audio = Audio(np.zeros(8000, dtype=np.float32), 8000)
    assert remaining(audio, 5.0).duration == 0.0
    assert remaining(audio, -1.0).duration == 1.0


def test_tail_segments_move_onto_the_recording_time_line_words_included() -> None:
    (moved,) = shifted([seg(0.5, 1.5, "停电了")], 10.0)
    assert (moved.start, moved.end) == (10.5, 11.5)
    assert (moved.words[0].start, moved.words[0].end) == (10.5, 11.5)


def test_a_final_written_after_covered_was_read_is_left_to_the_tail() -> None:
    live = LiveSide((seg(0.0, 2.0, "您好"), seg(3.0, 5.0, "我家停电了")), covered=2.0)
    assert [s.text for s in covered_segments(live)] == ["您好"]


def test_the_live_part_and_the_tail_make_one_side_in_time_order() -> None:
    live = LiveSide((seg(3.0, 5.0, "我家停电了"), seg(0.0, 2.0, "您好")), covered=5.5)
    tail = shifted([seg(0.2, 1.0, "谢谢")], 5.5)
    assert [s.text for s in stitched(live, tail, CALLER)] == ["您好", "我家停电了", "谢谢"]


def test_without_a_live_part_the_side_is_its_tail() -> None:
    assert stitched(None, (seg(0.0, 1.0, "喂"),), CALLER) == (seg(0.0, 1.0, "喂"),)


def test_another_speakers_finals_never_join_this_side() -> None:
    live = LiveSide((seg(0.0, 1.0, "请讲", Speaker.AGENT),), covered=1.0)
    assert stitched(live, (), CALLER) == ()


def test_a_stream_that_opened_on_speech_gives_its_first_final_to_the_head() -> None:
    live = LiveSide((seg(6.0, 8.0, "家里停水"), seg(3.4, 5.2, "东城区安定门街道")), covered=8.5, start=3.4)
    joined = joined_to_head(live)
    assert joined.start == 5.2 and joined.covered == 8.5  # the head now runs to the first final's pause
    assert [s.text for s in joined.segments] == ["家里停水"]


def test_a_late_stream_without_a_covered_final_is_left_as_it_was() -> None:
    live = LiveSide((seg(4.0, 6.0, "写在覆盖之后"),), covered=3.8, start=3.4)
    assert joined_to_head(live) == live
