"""A short spoken answer (the citizen's word at the end of a 回访 call) → its words; synchronous.

The answer's recording is mostly silence: the prompts played while the citizen listened, a second or two
of speech, the wait for silence. Decoded as a call side is (Silero VAD spans, each decoded on its own),
Whisper-base gave nothing at all for 满意，挺好的 in 2 of 5 placements of the same words, depending
only on where in the silence they fell (measured, docs/surveys.md). So an answer is cut to its voiced
stretch by the energy segmenter (callcenter/asr/vad.py: deterministic, frame-aligned, so the same words
give the same samples wherever they fall), with ``PAD_S`` of the silence around it, and decoded in one
piece. A recording without a voiced stretch is not decoded at all: silence never becomes words.
"""

from __future__ import annotations

from callcenter.asr.model import Audio, Speaker
from callcenter.asr.ports import Transcriber
from callcenter.asr.vad import voiced_span

PAD_S = 0.5  # silence kept on each side of the voiced stretch


def hear_answer(transcriber: Transcriber, audio: Audio) -> str:
    """The words of the voiced stretch of ``audio`` ("" when nothing in it is voiced)."""
    span = voiced_span(audio.samples, audio.rate, PAD_S)
    if span is None:
        return ""
    start, end = span
    segments = transcriber.transcribe(Audio(audio.samples[start:end], audio.rate), Speaker.CALLER)
    return "".join(s.text for s in segments)
