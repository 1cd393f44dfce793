"""Transcribing one call: both sides of its recording, merged into one time-ordered transcript.

Synchronous and CPU-bound: it runs in the ASR worker process, off any event loop.
"""

from __future__ import annotations

from callcenter.adapters.asr.audio import is_silent, load_recording, load_sides
from callcenter.asr.model import Audio, Segment, Speaker, Transcript
from callcenter.asr.port import Transcriber


def load_call_audio(caller_path: str, agent_path: str) -> dict[Speaker, Audio]:
    """A stereo file (caller left, agent right) when both sides share one path; else one file a side."""
    if not agent_path or agent_path == caller_path:
        return load_recording(caller_path)
    return load_sides(caller=caller_path, agent=agent_path)


def transcribe_call(transcriber: Transcriber, caller_path: str, agent_path: str) -> Transcript:
    """Raises AudioError when the recording cannot be used; a silent side is simply left out."""
    sides = load_call_audio(caller_path, agent_path)
    segments: list[Segment] = []
    for speaker, audio in sides.items():
        if not is_silent(audio):
            segments.extend(transcriber.transcribe(audio, speaker))
    return Transcript(
        engine=transcriber.name,
        language=transcriber.language,
        duration=max(a.duration for a in sides.values()),
        segments=tuple(sorted(segments, key=lambda s: (s.start, s.speaker))),
    )
