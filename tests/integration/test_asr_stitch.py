"""After-call transcription of a call whose first part the live worker already closed: only the rest is
decoded, and the joined transcript reads like the whole side decoded at once (real Whisper, real speech)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from callcenter.adapters.asr.audio import load_mono
from callcenter.adapters.asr.calls import transcribe_call
from callcenter.adapters.asr.cer import cer
from callcenter.asr.model import Audio, Segment, Speaker
from callcenter.asr.stitch import LiveSide
from tests.support.asr import Utterance

if TYPE_CHECKING:
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

RATE = 8000
PAUSE_S = 1.5


def side_of(clips: list[Audio]) -> Audio:
    pause = np.zeros(int(PAUSE_S * RATE), dtype=np.float32)
    parts = [p for clip in clips for p in (clip.samples, pause)]
    return Audio(np.concatenate(parts), RATE)


def test_only_the_tail_is_decoded_and_joined_after_the_live_part(
    whisper_transcriber: WhisperTranscriber, mandarin_phone_corpus: tuple[Utterance, ...], tmp_path: Path
) -> None:
    first, second = (load_mono(u.path, rate=RATE) for u in mandarin_phone_corpus[:2])
    caller = side_of([first, second])
    path = tmp_path / "caller.wav"
    sf.write(path, caller.samples, RATE, subtype="PCM_16")
    covered = first.duration + PAUSE_S / 2  # the live worker closed the first utterance at the pause
    live_part = whisper_transcriber.transcribe(first, Speaker.CALLER)
    live = {Speaker.CALLER: LiveSide(live_part, covered)}

    joined = transcribe_call(whisper_transcriber, str(path), str(path), live)

    texts = [s.text for s in joined.segments]
    assert texts[: len(live_part)] == [s.text for s in live_part]  # the live finals are kept as they were
    tail = joined.segments[len(live_part) :]
    assert tail and all(s.start >= covered for s in tail), joined.segments
    reference = mandarin_phone_corpus[0].text + mandarin_phone_corpus[1].text
    assert cer(reference, joined.text_of(Speaker.CALLER)) < 0.3, joined.text_of(Speaker.CALLER)
    assert joined.duration == caller.duration


def test_a_side_the_live_worker_covered_to_the_end_is_not_decoded_again(
    whisper_transcriber: WhisperTranscriber, mandarin_phone_corpus: tuple[Utterance, ...], tmp_path: Path
) -> None:
    clip = load_mono(mandarin_phone_corpus[2].path, rate=RATE)
    path = tmp_path / "caller.wav"
    sf.write(path, side_of([clip]).samples, RATE, subtype="PCM_16")
    live_part = whisper_transcriber.transcribe(clip, Speaker.CALLER)
    live = {Speaker.CALLER: LiveSide(live_part, covered=clip.duration + PAUSE_S)}
    assert transcribe_call(whisper_transcriber, str(path), str(path), live).segments == live_part


def test_a_live_stream_that_started_late_leaves_the_head_to_the_after_call_job(
    whisper_transcriber: WhisperTranscriber, mandarin_phone_corpus: tuple[Utterance, ...], tmp_path: Path
) -> None:
    """On a loaded machine the live stream may start seconds into the recording (the citizen already
    speaking): those words are decoded from the recording, not lost (seen: 你好，地方在…安定门街道 gone)."""
    first, second = (load_mono(u.path, rate=RATE) for u in mandarin_phone_corpus[:2])
    caller = side_of([first, second])
    path = tmp_path / "caller.wav"
    sf.write(path, caller.samples, RATE, subtype="PCM_16")
    start = first.duration + PAUSE_S / 2  # the stream opened after the first utterance
    heard = whisper_transcriber.transcribe(second, Speaker.CALLER)
    live_part = tuple(s.moved(start + PAUSE_S / 2) for s in heard)
    live = {Speaker.CALLER: LiveSide(live_part, covered=caller.duration, start=start)}

    joined = transcribe_call(whisper_transcriber, str(path), str(path), live)

    head = [s for s in joined.segments if s.end <= start]
    assert head, joined.segments  # the first utterance, decoded from the recording
    assert joined.segments[len(head) :] == live_part  # then the live finals as they were
    reference = mandarin_phone_corpus[0].text + mandarin_phone_corpus[1].text
    assert cer(reference, joined.text_of(Speaker.CALLER)) < 0.3, joined.text_of(Speaker.CALLER)


def test_a_live_stream_that_opened_mid_word_leaves_that_utterance_whole_to_the_after_call_job(
    whisper_transcriber: WhisperTranscriber, mandarin_phone_corpus: tuple[Utterance, ...], tmp_path: Path
) -> None:
    """The stream opened in the middle of the first utterance: its first final is a fragment, and so is
    the head. The after-call job decodes the first utterance from the recording in one piece (as if the
    stream had been on time) and keeps the later finals (seen: a phone number read with a 6 for a 2)."""
    first, second = (load_mono(u.path, rate=RATE) for u in mandarin_phone_corpus[:2])
    caller = side_of([first, second])
    path = tmp_path / "caller.wav"
    sf.write(path, caller.samples, RATE, subtype="PCM_16")
    start = round(first.duration / 2, 2)
    fragment = Audio(first.samples[round(start * RATE) :], RATE)
    cut = tuple(s.moved(start) for s in whisper_transcriber.transcribe(fragment, Speaker.CALLER))
    later = tuple(
        s.moved(first.duration + PAUSE_S) for s in whisper_transcriber.transcribe(second, Speaker.CALLER)
    )
    assert cut and later
    closed = LiveSide(
        (Segment(Speaker.CALLER, start, first.duration + 0.2, "".join(s.text for s in cut)), *later),
        covered=caller.duration,
        start=start,
    )

    joined = transcribe_call(whisper_transcriber, str(path), str(path), {Speaker.CALLER: closed})

    whole = whisper_transcriber.transcribe(
        Audio(caller.samples[: round((first.duration + 0.2) * RATE)], RATE), Speaker.CALLER
    )
    head = [s for s in joined.segments if s.start < first.duration + 0.2]
    assert [s.text for s in head] == [s.text for s in whole]  # the first utterance decoded in one piece
    assert joined.segments[len(head) :] == later  # then the later finals as they were
