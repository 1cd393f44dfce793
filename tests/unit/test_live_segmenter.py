"""The streaming voice-activity segmenter and the live stream limit: pure rules on synthetic audio."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.asr.live import Tap, measured_offset, silence_to_insert
from callcenter.asr.live_capacity import AUTO, live_streams
from callcenter.asr.model import Speaker
from callcenter.asr.vad import Samples, SpeechSegment, SpeechSegmenter, VadOptions, voiced_span
from callcenter.core.ids import CallId

RATE = 8000


def tone(seconds: float, dbfs: float = -20.0) -> Samples:
    """Speech-like: a 300 Hz tone in syllables (4 per second, dipping 20 dB between them)."""
    t = np.arange(round(seconds * RATE)) / RATE
    syllables = 0.55 + 0.45 * np.cos(2 * np.pi * 4 * t)
    wave: Samples = (np.sin(2 * np.pi * 300 * t) * syllables * np.sqrt(2) * 10 ** (dbfs / 20)).astype(
        np.float32
    )
    return wave


def quiet(seconds: float) -> Samples:
    return np.zeros(round(seconds * RATE), np.float32)


def run(
    samples: Samples, chunk: int = 160, options: VadOptions | None = None
) -> tuple[list[SpeechSegment], int]:
    seg = SpeechSegmenter(RATE, options)
    out: list[SpeechSegment] = []
    for at in range(0, len(samples), chunk):
        out += seg.push(samples[at : at + chunk])
    out += seg.flush()
    return out, seg.closed_until


def spans(segments: list[SpeechSegment]) -> list[tuple[float, float]]:
    return [(round(s.start / RATE, 2), round(s.end / RATE, 2)) for s in segments]


def test_a_pause_closes_a_segment_with_pre_roll_and_tail() -> None:
    audio = np.concatenate([quiet(1.0), tone(2.0), quiet(1.0), tone(1.0), quiet(0.3)])
    segments, closed = run(audio)
    assert spans(segments) == [(0.7, 3.3), (3.7, 5.3)]
    assert closed == len(audio)
    first = segments[0]
    assert np.array_equal(first.samples, audio[first.start : first.end])


def test_a_short_gap_does_not_split() -> None:
    segments, _ = run(np.concatenate([tone(1.0), quiet(0.4), tone(1.0), quiet(1.0)]))
    assert len(segments) == 1


def test_long_speech_is_cut_at_the_maximum() -> None:
    segments, _ = run(np.concatenate([tone(45.0), quiet(1.0)]))
    assert [round((s.end - s.start) / RATE) for s in segments] == [20, 20, 5]
    assert all(a.end == b.start for a, b in itertools.pairwise(segments))


def test_silence_and_clicks_give_nothing() -> None:
    click = np.concatenate([quiet(1.0), tone(0.1), quiet(2.0)])
    assert run(quiet(5.0))[0] == []
    assert run(click)[0] == []


def test_steady_noise_stops_counting_as_speech() -> None:
    noise = (np.random.default_rng(1).standard_normal(30 * RATE) * 0.01).astype(np.float32)  # -40 dBFS
    segments, _ = run(noise)
    assert sum(s.end - s.start for s in segments) / RATE < 15.0


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=4000))
def test_any_chunking_gives_the_same_segments(chunk: int) -> None:
    audio = np.concatenate([quiet(0.5), tone(1.5), quiet(0.9), tone(0.7, -30.0), quiet(0.2)])
    expected, _ = run(audio, 160)
    found, _ = run(audio, chunk)
    assert spans(found) == spans(expected)


@pytest.mark.parametrize(
    ("setting", "engine", "cpus", "expected"),
    [
        (AUTO, "whisper", 2, 2),
        (AUTO, "vosk", 2, 4),
        (AUTO, "whisper", 1, 1),
        (3, "vosk", 16, 3),
        (0, "vosk", 2, 0),
    ],
)
def test_the_stream_limit_is_sized_to_the_machine(
    setting: int, engine: str, cpus: int, expected: int
) -> None:
    assert live_streams(setting, engine, cpus) == expected


# --- where a stream starts in the recording (callcenter.asr.live.measured_offset) ----------------------


def test_a_stream_that_started_late_is_placed_where_its_audio_really_begins() -> None:
    tap = Tap(CallId("1.1"), Speaker.CALLER, offset_s=0.3, server="a", registered_at=1000.0)
    # announced for 1000.12 (ChanSpy's 0.1 s and one frame); the first audio came 2 s later than that
    assert measured_offset(tap, 1002.12) == pytest.approx(2.3)


def test_the_announced_offset_stands_without_times_or_with_implausible_ones() -> None:
    tap = Tap(CallId("1.1"), Speaker.CALLER, offset_s=0.3, server="a", registered_at=1000.0)
    assert measured_offset(tap, None) == 0.3
    assert measured_offset(Tap(CallId("1.1"), Speaker.CALLER, 0.3, "a"), 1005.0) == 0.3
    assert measured_offset(tap, 1000.05) == 0.3  # early: the announcement's own estimate holds
    assert measured_offset(tap, 1100.0) == 0.3  # 100 s late: clocks that disagree


def test_a_gap_in_the_stream_is_filled_and_a_late_burst_is_not() -> None:
    assert silence_to_insert(elapsed_s=12.0, received_s=10.02) == pytest.approx(1.88)  # 2 s sent nothing
    assert silence_to_insert(elapsed_s=12.0, received_s=11.98) == 0.0  # normal pacing
    assert silence_to_insert(elapsed_s=12.0, received_s=11.7) == 0.0  # jitter
    assert silence_to_insert(elapsed_s=12.0, received_s=30.0) == 0.0  # sent faster than real time


def test_the_voiced_span_runs_from_the_first_words_to_the_last_with_padding() -> None:
    audio = np.concatenate([quiet(5.0), tone(1.0), quiet(2.0), tone(0.5), quiet(5.0)])
    span = voiced_span(audio, RATE, pad_s=0.5)
    assert span is not None
    start, end = span
    assert 4.2 * RATE <= start <= 4.5 * RATE and 9.0 * RATE <= end <= 9.4 * RATE, (start / RATE, end / RATE)


def test_silence_or_a_click_has_no_voiced_span() -> None:
    assert voiced_span(quiet(10.0), RATE, pad_s=0.5) is None
    assert voiced_span(np.concatenate([quiet(3.0), tone(0.06), quiet(3.0)]), RATE, pad_s=0.5) is None


def test_the_padding_stays_inside_the_audio() -> None:
    assert voiced_span(tone(1.0), RATE, pad_s=0.5) == (0, RATE)
