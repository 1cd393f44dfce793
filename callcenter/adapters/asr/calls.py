"""Transcribing one call: both sides of its recording, merged into one time-ordered transcript.

Synchronous and CPU-bound: it runs in the ASR worker process, off any event loop. When the live worker
already closed part of a side during the call (``live``), only the rest of that side is transcribed here.
"""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.adapters.asr.audio import is_silent, load_recording, load_sides
from callcenter.asr.model import Audio, Segment, Speaker, Transcript
from callcenter.asr.ports import Transcriber
from callcenter.asr.quality import audio_warning
from callcenter.asr.stitch import LiveSide, head, joined_to_head, remaining, shifted, stitched

# A live stream is taken to have opened on speech when this much audio before its start is not silent.
_OPENING_S = 0.3
# A tail shorter than this holds no word worth decoding (the live worker closed the side at a pause).
_MIN_TAIL_S = 0.2


def load_call_audio(caller_path: str, agent_path: str) -> dict[Speaker, Audio]:
    """A stereo file (caller left, agent right) when both sides share one path; else one file a side."""
    if not agent_path or agent_path == caller_path:
        return load_recording(caller_path)
    return load_sides(caller=caller_path, agent=agent_path)


def transcribe_call(
    transcriber: Transcriber,
    caller_path: str,
    agent_path: str,
    live: Mapping[Speaker, LiveSide] | None = None,
) -> Transcript:
    """Raises AudioError when the recording cannot be used; a silent side is simply left out."""
    sides = load_call_audio(caller_path, agent_path)
    segments: list[Segment] = []
    for speaker, audio in sides.items():
        segments.extend(transcribe_side(transcriber, audio, speaker, (live or {}).get(speaker)))
    return Transcript(
        engine=transcriber.name,
        language=transcriber.language,
        duration=max(a.duration for a in sides.values()),
        segments=tuple(sorted(segments, key=lambda s: (s.start, s.speaker))),
        caller_warning=audio_warning(sides[Speaker.CALLER]) if Speaker.CALLER in sides else None,
    )


def transcribe_side(
    transcriber: Transcriber, audio: Audio, speaker: Speaker, live: LiveSide | None
) -> tuple[Segment, ...]:
    """The live finals of this side plus the transcript of what the live worker did not hear: the
    recording's head when the live stream started late (a loaded machine: seconds), and the tail. A late
    stream that opened on speech gives its first final to the head (:func:`joined_to_head`), so that the
    words around the instant it opened are decoded in one piece."""
    if live is not None and _opened_on_speech(audio, live.start):
        live = joined_to_head(live)
    covered = live.covered if live is not None else 0.0
    tail = remaining(audio, covered)
    decoded: tuple[Segment, ...] = ()
    if tail.duration >= _MIN_TAIL_S and not is_silent(tail):
        decoded = shifted(transcriber.transcribe(tail, speaker), covered)
    start = head(audio, live.start) if live is not None else None
    if start is not None and start.duration >= _MIN_TAIL_S and not is_silent(start):
        decoded = (*transcriber.transcribe(start, speaker), *decoded)
    return stitched(live, decoded, speaker)


def _opened_on_speech(audio: Audio, start: float) -> bool:
    """Whether the live stream opened (late) while this side was speaking."""
    return start > 0 and not is_silent(remaining(head(audio, start), max(0.0, start - _OPENING_S)))
