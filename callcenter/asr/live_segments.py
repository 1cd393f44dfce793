"""Live transcription with a whole-utterance engine (Whisper): decode each stretch of speech as it closes.

The :class:`~callcenter.asr.vad.SpeechSegmenter` closes a segment after a pause (0.7 s) or at 20 s; the
segment is decoded at once with the process's :class:`~callcenter.asr.ports.Transcriber` (the same decoding
as after the call: Whisper with Silero VAD, Traditional → Simplified) and every segment it returns is one
FINAL. ``covered`` is the end of the last closed segment, so at hangup only the open segment is left.

No PARTIAL events for Whisper: an interim guess costs a full decode of the open segment, and on a 2-core
machine that time is better spent on the next FINAL of another call (docs/live-transcription.md).
"""

from __future__ import annotations

import numpy as np

from callcenter.asr.live import LiveKind
from callcenter.asr.model import Audio, Segment, Speaker
from callcenter.asr.ports import LIVE_RATE, Heard, Transcriber
from callcenter.asr.vad import SpeechSegment, SpeechSegmenter, VadOptions


class SegmentedLiveEngine:
    """A :class:`~callcenter.asr.ports.LiveEngine` over any Transcriber (its model is shared)."""

    def __init__(self, transcriber: Transcriber, vad: VadOptions | None = None) -> None:
        self.transcriber = transcriber
        self.name = transcriber.name
        self.vad = vad or VadOptions()

    def open_stream(self, speaker: Speaker) -> SegmentedStream:
        return SegmentedStream(self.transcriber, speaker, SpeechSegmenter(LIVE_RATE, self.vad))


class SegmentedStream:
    def __init__(self, transcriber: Transcriber, speaker: Speaker, segmenter: SpeechSegmenter) -> None:
        self._transcriber = transcriber
        self._speaker = speaker
        self._segmenter = segmenter

    @property
    def covered(self) -> float:
        return self._segmenter.closed_until / LIVE_RATE

    def accept(self, audio: Audio) -> list[Heard]:
        if audio.rate != LIVE_RATE:
            raise ValueError(f"live audio must be {LIVE_RATE} Hz, not {audio.rate}")
        return self._decode(self._segmenter.push(audio.samples))

    def finish(self) -> list[Heard]:
        return self._decode(self._segmenter.flush())

    def _decode(self, segments: list[SpeechSegment]) -> list[Heard]:
        return [heard for segment in segments for heard in self._transcribe(segment)]

    def _transcribe(self, segment: SpeechSegment) -> list[Heard]:
        if len(segment.samples) == 0:
            return []
        found = self._transcriber.transcribe(
            Audio(segment.samples.astype(np.float32), LIVE_RATE), self._speaker
        )
        offset = segment.start / LIVE_RATE
        return [_final(item, offset) for item in found if item.text.strip()]


def _final(segment: Segment, offset: float) -> Heard:
    placed = segment.moved(offset)
    return Heard(LiveKind.FINAL, placed.text, placed.start, placed.end, placed.words)
