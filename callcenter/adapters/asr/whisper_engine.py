"""faster-whisper (CTranslate2) speech engine behind the :class:`~callcenter.asr.ports.Transcriber` port.

Whisper-base, int8 on CPU, beam search 5, language fixed to Mandarin ("zh"), word timestamps on. Whisper often
writes Traditional characters for Mandarin: every segment and word is converted to Simplified (OpenCC t2s).
Audio is resampled to Whisper's 16 kHz with soxr (HQ by default; ``resample_quality``, measured in
docs/asr.md). A silent side is not decoded at all: Whisper invents text for silence ("请不吝点赞 订阅…"),
and a stereo call leaves each side silent for long stretches.

Long audio is split at silences before decoding (``split_on_silence``, default on): Silero VAD (bundled with
faster-whisper) finds speech spans separated by ≥ 1 s of silence, padded by 0.6 s, at most 25 s long, and each
span is decoded on its own without the previous text as prompt. Measured on the 15 phone utterances joined
with 1 s / 4 s pauses (a call side's shape), Whisper's own long-form decoding dropped whole sentences (CER
35–55 %, and very sensitive to the pauses); per-span decoding gave 16–17 %, as good as single clips.

Domain adaptation (``WhisperOptions.initial_prompt`` / ``hotwords``, built by
``adapters.asr.domain_vocabulary``) is passed to every span's decode; with Whisper-base it raises CER, so
the setting that turns it on is off by default (docs/asr.md, "Domain adaptation").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from callcenter.adapters.asr.audio import is_silent, resample
from callcenter.adapters.asr.models import whisper_base_files
from callcenter.adapters.asr.settings import WhisperOptions
from callcenter.adapters.asr.text import to_simplified
from callcenter.asr.model import Audio, Segment, Speaker, Word
from callcenter.core.errors import AudioError, ConfigError

WHISPER_RATE = 16000
MAX_SPAN_S = 25.0  # below Whisper's 30 s window, so a span is decoded in one pass
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # faster-whisper's fallback schedule


class WhisperTranscriber:
    """Transcribes one call side with Whisper; the model is loaded once in ``__init__``."""

    name = "whisper"
    language = "zh"
    rate = WHISPER_RATE

    def __init__(
        self, options: WhisperOptions | None = None, *, files: Mapping[str, bytes] | None = None
    ) -> None:
        self.options = options or WhisperOptions()
        self._model = _load(self.options, files)

    def with_options(self, options: WhisperOptions) -> WhisperTranscriber:
        """The same loaded model with other decoding options (load options such as threads are kept)."""
        other = object.__new__(WhisperTranscriber)
        other.options, other._model = options, self._model
        return other

    def transcribe(self, audio: Audio, speaker: Speaker) -> tuple[Segment, ...]:
        """Segments of one side in time order; silent side → (); empty audio → AudioError(reason="empty")."""
        if len(audio.samples) == 0:
            raise AudioError("no samples to transcribe", reason="empty")
        if is_silent(audio):
            return ()
        samples = resample(audio, WHISPER_RATE, self.options.resample_quality).samples
        spans = _speech_spans(samples, self.options) if self.options.split_on_silence else [(0, len(samples))]
        segments = [
            seg for start, end in spans for seg in self._decode(samples, start, end, speaker, audio.duration)
        ]
        return tuple(segments)

    def _decode(
        self, samples: npt.NDArray[np.float32], start: int, end: int, speaker: Speaker, duration: float
    ) -> list[Segment]:
        """One span; segment and word times are shifted by the span's start."""
        found, _info = self._model.transcribe(
            samples[start:end],
            language=self.language,
            beam_size=self.options.beam_size,
            word_timestamps=True,
            condition_on_previous_text=not self.options.split_on_silence,
            initial_prompt=self.options.initial_prompt,
            hotwords=self.options.hotwords,
            temperature=TEMPERATURES if self.options.temperature_fallback else 0.0,
            without_timestamps=self.options.without_timestamps,
        )
        offset = start / WHISPER_RATE
        segments = (
            _segment(item, speaker, offset, duration) for item in found
        )  # decoding happens here, lazily
        return [segment for segment in segments if segment.text]


def _speech_spans(samples: npt.NDArray[np.float32], whisper: WhisperOptions) -> list[tuple[int, int]]:
    """Sample ranges of speech found by Silero VAD (see module docstring for the rule)."""
    options = VadOptions(
        min_silence_duration_ms=whisper.min_silence_ms,
        speech_pad_ms=whisper.speech_pad_ms,
        max_speech_duration_s=MAX_SPAN_S,
    )
    return [(int(span["start"]), int(span["end"])) for span in get_speech_timestamps(samples, options)]


def _load(options: WhisperOptions, files: Mapping[str, bytes] | None) -> Any:
    """WhisperModel from ``options.model_dir``, or in memory from ``files`` (default: the PyPI parts)."""
    common: dict[str, Any] = {
        "device": "cpu",
        "compute_type": options.compute_type,
        "cpu_threads": options.cpu_threads,
        "num_workers": 1,
    }
    if options.model_dir is not None:
        if not (options.model_dir / "model.bin").is_file():
            raise ConfigError(f"no faster-whisper model.bin in {options.model_dir}", reason="model_missing")
        return WhisperModel(str(options.model_dir), local_files_only=True, **common)
    in_memory = dict(files) if files is not None else whisper_base_files()  # faster-whisper pops from it
    return WhisperModel("whisper-base", files=in_memory, **common)


def _clamp(seconds: float, duration: float) -> float:
    """Seconds inside [0, duration], rounded to the millisecond (faster-whisper adds float noise)."""
    return round(min(max(float(seconds), 0.0), duration), 3)


def _segment(item: Any, speaker: Speaker, offset: float, duration: float) -> Segment:
    words = tuple(_word(word, offset, duration) for word in (item.words or ()) if word.word.strip())
    start, end = _clamp(offset + item.start, duration), _clamp(offset + item.end, duration)
    end = max(end, start)
    # Whisper's word timestamps come from attention alignment and may stray a little outside their
    # segment (a word at 8.82 s in a segment from 9.0 s): kept inside it, so words never precede their line.
    words = tuple(_within(w, start, end) for w in words)
    return Segment(speaker=speaker, start=start, end=end, text=to_simplified(item.text.strip()), words=words)


def _within(word: Word, start: float, end: float) -> Word:
    first = min(max(word.start, start), end)
    return replace(word, start=first, end=min(max(word.end, first), end))


def _word(word: Any, offset: float, duration: float) -> Word:
    start = _clamp(offset + word.start, duration)
    end = max(_clamp(offset + word.end, duration), start)
    return Word(
        text=to_simplified(word.word.strip()), start=start, end=end, confidence=float(word.probability)
    )
