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
from callcenter.asr.stitch import LiveSide, head, remaining, shifted, stitched

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
    recording's head when the live stream started late (a loaded machine: seconds), and the tail."""
    covered = live.covered if live is not None else 0.0
    tail = remaining(audio, covered)
    decoded: tuple[Segment, ...] = ()
    if tail.duration >= _MIN_TAIL_S and not is_silent(tail):
        decoded = shifted(transcriber.transcribe(tail, speaker), covered)
    start = head(audio, live.start) if live is not None else None
    if start is not None and start.duration >= _MIN_TAIL_S and not is_silent(start):
        decoded = (*transcriber.transcribe(start, speaker), *decoded)
    return stitched(live, decoded, speaker)
